// Settings of the SQLite backend. The file's own settings (durability, page size, timeouts) are
// stated once, in file_params, and apply to every connection the backend opens on the file.
#ifndef KONGFLOW_ENDPOINTS_SQLITE_PARAMS_HPP
#define KONGFLOW_ENDPOINTS_SQLITE_PARAMS_HPP

#include <chrono>
#include <cstddef>
#include <string>

namespace kongflow::endpoints::sqlite {

/// The database file: what every connection of the repository, the queue and the store uses.
struct file_params {
    /// "FULL": a commit survives power loss. "NORMAL" (WAL): survives a process crash only.
    /// Also "OFF" or "EXTRA"; any case, or the level's number 0-3. Anything else fails the open
    /// with errc::invalid_argument (SQLite itself would read a typo as NORMAL).
    std::string synchronous = "FULL";
    /// How long a writer waits for another connection's (or process's) write lock before failing
    /// with SQLITE_BUSY.
    std::chrono::milliseconds busy_timeout{10000};
    /// Page size of a file the open creates (ignored for an existing one): 0 = SQLite's default
    /// (4096), else a power of two from 512 to 65536, or the open fails. docs/storage.md says why
    /// 4 KiB.
    int page_size = 4096;
    /// Every write fails with errc::storage_failure; the schema must already be current.
    bool read_only = false;
    /// Create the file when it does not exist.
    bool create = true;
    bool wal = true;
    /// Statement journals and temporary tables in memory, not in new files under /var/tmp.
    bool temp_store_memory = true;
    /// One write per transaction to the WAL instead of two per page (the file format is SQLite's).
    bool buffer_wal_writes = true;
};

/// The repository's own settings.
struct repository_params {
    /// Connections kept open for reuse; more are opened on demand when threads contend.
    std::size_t max_idle_connections = 4;
};

/// The queue's own settings.
struct queue_params {
    /// Under "FULL", claims, heartbeats, rescues and lease releases skip the fsync: losing one in
    /// a power failure only runs a job again, exactly as a crash would. Enqueues, completions and
    /// cancels are always durable. true = every write is durable.
    bool durable_leases = false;
    /// WAL checkpoints run on a background thread owned by the queue, so that no enqueue or claim
    /// pays for one: passive passes from a quarter of this many WAL pages, and past it a RESTART
    /// that starts the WAL over. 0 = SQLite's automatic checkpoint inside the committing call.
    int background_checkpoint_pages = 4000;
    /// Past this many WAL pages the committing call checkpoints in-line, in case the background
    /// thread cannot keep up. 0 = 10 x background_checkpoint_pages.
    int inline_checkpoint_pages = 0;
    /// Under "FULL" (WAL): enqueues and completions commit without syncing, release the write
    /// lock, then sync the WAL before returning. Exactly as durable (nothing returns before its
    /// commit is on disk), but other writers no longer wait for this one's flush; rows are
    /// visible to other connections during that sync. false = SQLite syncs inside COMMIT.
    bool pipelined_sync = true;
};

/// The store: the repository and the queue on one file, with units of work spanning both.
struct store_params {
    file_params file{};
    repository_params repository{};
    queue_params queue{};
    /// The most units async_transact commits in one transaction (group commit).
    std::size_t max_group_size = 128;
    /// With synchronous FULL (or EXTRA) and WAL: async_transact commits a group without waiting
    /// for the disk, starts the next group at once, and completes the group's units only after a
    /// background thread has synced the WAL past their commit. Durability is FULL's: no unit
    /// completes before its commit is on disk; another connection may read a group's rows during
    /// that sync, before they are durable. false = SQLite syncs inside COMMIT, a group at a time.
    bool pipelined_sync = true;
};

} // namespace kongflow::endpoints::sqlite

#endif
