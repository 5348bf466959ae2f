// The throwaway cluster of the PostgreSQL tests (started by the postgres.cluster_start fixture,
// tests/postgres/cluster) and a fresh schema per test, dropped afterwards.
#ifndef KONGFLOW_TESTS_POSTGRES_PG_TEST_UTIL_HPP
#define KONGFLOW_TESTS_POSTGRES_PG_TEST_UTIL_HPP

#include <kongflow/endpoints/postgres/params.hpp>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

#include <libpq-fe.h>
#include <unistd.h>

namespace kf_pg {

/// The cluster's connection string: $KONGFLOW_TEST_POSTGRES, or the file the fixture wrote.
inline std::string conninfo() {
    if (const char* c = std::getenv("KONGFLOW_TEST_POSTGRES"); c && *c) return c;
    const char* f = std::getenv("KONGFLOW_TEST_POSTGRES_FILE");
    if (!f) throw std::runtime_error("set KONGFLOW_TEST_POSTGRES or run through ctest (fixture postgres_cluster)");
    std::ifstream in(f);
    std::string line;
    std::getline(in, line);
    if (line.empty()) throw std::runtime_error(std::string("no cluster connection string in ") + f);
    return line;
}

/// Stops ("pause") or starts ("resume") the cluster's server, keeping its data. Only for a
/// cluster the fixture started (KONGFLOW_TEST_POSTGRES_FILE); false otherwise.
inline bool cluster(const std::string& what) {
    const char* f = std::getenv("KONGFLOW_TEST_POSTGRES_FILE");
#ifdef KONGFLOW_TEST_POSTGRES_CLUSTER_SCRIPT
    const char* script = KONGFLOW_TEST_POSTGRES_CLUSTER_SCRIPT;
#else
    const char* script = nullptr;
#endif
    if (!f || !script) return false;
    std::string cmd = std::string("bash '") + script + "' " + what + " '" + f + "'";
    return std::system(cmd.c_str()) == 0;
}

/// Runs SQL on a connection of its own; returns the first value of the first row ("" if none).
inline std::string psql(const std::string& sql, const std::string& on = conninfo()) {
    PGconn* c = PQconnectdb(on.c_str());
    std::string out;
    if (PQstatus(c) != CONNECTION_OK) {
        std::string why = PQerrorMessage(c);
        PQfinish(c);
        throw std::runtime_error("psql: " + why);
    }
    PQsetNoticeProcessor(
        c, [](void*, const char*) {}, nullptr);
    PGresult* r = PQexec(c, sql.c_str());
    auto st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        std::string why = PQresultErrorMessage(r);
        PQclear(r);
        PQfinish(c);
        throw std::runtime_error("psql: " + why + " in " + sql);
    }
    if (st == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
    PQclear(r);
    PQfinish(c);
    return out;
}

/// A schema name no other test uses; dropped (with everything in it) when the guard ends.
class schema {
public:
    schema() {
        static std::atomic<int> n{0};
        name_ = "kf_t" + std::to_string(::getpid()) + "_" + std::to_string(n++);
        psql("DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
    }
    ~schema() {
        try {
            psql("DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
        } catch (...) {}
    }
    schema(const schema&) = delete;
    schema& operator=(const schema&) = delete;
    const std::string& name() const noexcept { return name_; }

    kongflow::endpoints::postgres::connection_params params() const {
        kongflow::endpoints::postgres::connection_params p;
        p.conninfo = conninfo();
        p.schema = name_;
        return p;
    }

private:
    std::string name_;
};

} // namespace kf_pg

#endif
