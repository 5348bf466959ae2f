// What PostgreSQL itself refuses (here: a trigger that raises) reaches the caller with the
// server's text, and a unit of work it aborted commits nothing and says so.
#include "catch.hpp"
#include "pg_test_util.hpp"

#include <kongflow/endpoints/postgres.hpp>

namespace kf = kongflow::endpoints;

TEST_CASE("postgres: a statement the server refuses fails with its text, and its unit commits nothing",
          "[postgres][errors]") {
    kf_pg::schema s;
    kf::postgres::store_params p;
    p.connection = s.params();
    auto st = kf::postgres::store::open(p);
    REQUIRE(st.has_value());
    auto& repo = (*st)->repo();
    auto org = repo.create_organization({"acme", "Acme", std::nullopt}).value();
    auto project = repo.create_project({org.id, "web", "Web", std::nullopt}).value();
    auto env = repo.create_environment(
                       {org.id, project.id, "prod", kf::environment_type::production, "tr_prod_x", std::nullopt})
                   .value();
    kf_pg::psql("CREATE FUNCTION " + s.name() +
                ".refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'index writes are "
                "disabled by the operator'; END $$; CREATE TRIGGER refuse BEFORE INSERT ON " +
                s.name() + ".endpoint_indexes FOR EACH ROW EXECUTE FUNCTION " + s.name() + ".refuse()");

    kf::upsert_endpoint_params ep;
    ep.environment_id = env.id;
    ep.organization_id = org.id;
    ep.project_id = project.id;
    ep.slug = "app";
    ep.url = "http://127.0.0.1:1/api";

    // Outside a unit: the call fails with the server's message.
    auto e = repo.upsert_endpoint(ep).value().value;
    auto ix = repo.create_index({e.id, kf::index_source::api, {}, nullptr, {}, {}});
    REQUIRE(!ix);
    CHECK(ix.error() == kf::errc::storage_failure);
    CHECK(std::string(ix.error().diag().client_message()).find("index writes are disabled by the operator") !=
          std::string::npos);
    CHECK(std::string(ix.error().diag().client_message()).find("SQLSTATE P0001") != std::string::npos);

    // Inside a unit: the failed statement ended the transaction; commit says so and keeps nothing.
    auto unit = (*st)->begin();
    REQUIRE(unit.has_value());
    ep.slug = "second";
    REQUIRE((*unit)->repo().upsert_endpoint(ep).has_value());
    REQUIRE(!(*unit)->repo().create_index({e.id, kf::index_source::api, {}, nullptr, {}, {}}));
    auto committed = (*unit)->commit();
    REQUIRE(!committed);
    CHECK(committed.error() == kf::errc::storage_failure);
    CHECK(!repo.find_endpoint_by_slug(env.id, "second").has_value());
    // The store goes on.
    ep.slug = "third";
    CHECK(repo.upsert_endpoint(ep).has_value());
}
