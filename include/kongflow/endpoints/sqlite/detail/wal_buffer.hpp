// A SQLite VFS over the default one that gathers a transaction's WAL writes into one write.
//
// SQLite writes each WAL frame with two calls (a 24-byte header, then the page), so a group
// commit of a few dozen pages costs a hundred pwrite(2) calls; where syscalls are dear (virtual
// machines) that was a quarter of a unit of work. This VFS buffers contiguous writes to WAL files
// and hands them to the real file in one write when the transaction's commit frame is complete,
// before anything else touches the file (read, sync, truncate, size, file control, close), when a
// write is not contiguous, or when the buffer is full.
//
// Why that is safe: a WAL frame becomes visible to other connections only when the writer
// publishes a new wal-index header, which SQLite does after writing the commit frame (the last
// frame of a transaction; padding frames after it are commit frames too). The commit frame's
// page write flushes the buffer and returns its result, so a failed write fails the COMMIT as it
// would without this VFS. Nothing changes on disk: files stay readable by any SQLite.
#ifndef KONGFLOW_ENDPOINTS_SQLITE_DETAIL_WAL_BUFFER_HPP
#define KONGFLOW_ENDPOINTS_SQLITE_DETAIL_WAL_BUFFER_HPP

#include <cstddef>
#include <cstring>
#include <new>
#include <vector>

#include <sqlite3.h>

namespace kongflow::endpoints::sqlite::detail {

class wal_buffer_vfs {
public:
    static constexpr const char* name = "kongflow-wal-buffer";
    /// The most bytes one write hands to the real file. SQLite's unix VFS writes at most
    /// 0x1ffff bytes per call (it masks the length: a larger write comes out short, and SQLite
    /// reports SQLITE_FULL), so stay below 128 KiB.
    static constexpr std::size_t capacity = 120 * 1024;

    /// Registers the VFS once (not as the default) and returns its name; nullptr when SQLite has
    /// no default VFS to wrap.
    static const char* ensure_registered() noexcept {
        static const bool ok = [] {
            sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
            if (!real) return false;
            static sqlite3_vfs vfs = make_vfs(real);
            return sqlite3_vfs_register(&vfs, 0) == SQLITE_OK;
        }();
        return ok ? name : nullptr;
    }

private:
    struct wal_file {
        sqlite3_file base; // must be first: SQLite sees a sqlite3_file
        sqlite3_file* real = nullptr;
        std::vector<unsigned char> buf;
        sqlite3_int64 buf_offset = 0;
        bool commit_frame = false; ///< the last write was a commit frame's header: flush after its page
    };

    static std::size_t real_offset() noexcept {
        return (sizeof(wal_file) + alignof(std::max_align_t) - 1) / alignof(std::max_align_t) *
               alignof(std::max_align_t);
    }
    static sqlite3_vfs* real_vfs(sqlite3_vfs* v) noexcept { return static_cast<sqlite3_vfs*>(v->pAppData); }
    static wal_file* self(sqlite3_file* f) noexcept { return reinterpret_cast<wal_file*>(f); }

    static int flush(wal_file& w) noexcept {
        w.commit_frame = false;
        if (w.buf.empty()) return SQLITE_OK;
        int rc = w.real->pMethods->xWrite(w.real, w.buf.data(), static_cast<int>(w.buf.size()), w.buf_offset);
        w.buf.clear();
        return rc;
    }

    // ---- io methods of a WAL file ----
    static int x_close(sqlite3_file* f) {
        auto* w = self(f);
        int rc = flush(*w);
        int rc2 = w->real->pMethods ? w->real->pMethods->xClose(w->real) : SQLITE_OK;
        w->~wal_file();
        return rc != SQLITE_OK ? rc : rc2;
    }
    static int x_read(sqlite3_file* f, void* out, int amt, sqlite3_int64 off) {
        auto* w = self(f);
        if (int rc = flush(*w); rc != SQLITE_OK) return rc;
        return w->real->pMethods->xRead(w->real, out, amt, off);
    }
    static int x_write(sqlite3_file* f, const void* data, int amt, sqlite3_int64 off) {
        auto* w = self(f);
        const bool page_of_commit = w->commit_frame;
        w->commit_frame = false;
        if (amt <= 0) return w->real->pMethods->xWrite(w->real, data, amt, off);
        const auto n = static_cast<std::size_t>(amt);
        const bool contiguous = !w->buf.empty() && off == w->buf_offset + static_cast<sqlite3_int64>(w->buf.size());
        if (!w->buf.empty() && (!contiguous || w->buf.size() + n > capacity)) {
            if (int rc = flush(*w); rc != SQLITE_OK) return rc;
        }
        if (n > capacity) return w->real->pMethods->xWrite(w->real, data, amt, off);
        try {
            if (w->buf.empty()) {
                w->buf_offset = off;
                if (w->buf.capacity() == 0) w->buf.reserve(capacity);
            }
            const auto* p = static_cast<const unsigned char*>(data);
            w->buf.insert(w->buf.end(), p, p + n);
        } catch (const std::bad_alloc&) {
            if (int rc = flush(*w); rc != SQLITE_OK) return rc;
            return w->real->pMethods->xWrite(w->real, data, amt, off);
        }
        // A frame header (the only 24-byte write to a WAL) whose "database size after commit"
        // field is not zero starts a commit frame: its page ends the transaction's writes.
        if (amt == 24) {
            const auto* h = static_cast<const unsigned char*>(data);
            w->commit_frame = (h[4] | h[5] | h[6] | h[7]) != 0;
        }
        return page_of_commit ? flush(*w) : SQLITE_OK;
    }
    static int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
        auto* w = self(f);
        if (int rc = flush(*w); rc != SQLITE_OK) return rc;
        return w->real->pMethods->xTruncate(w->real, size);
    }
    static int x_sync(sqlite3_file* f, int flags) {
        auto* w = self(f);
        if (int rc = flush(*w); rc != SQLITE_OK) return rc;
        return w->real->pMethods->xSync(w->real, flags);
    }
    static int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
        auto* w = self(f);
        if (int rc = flush(*w); rc != SQLITE_OK) return rc;
        return w->real->pMethods->xFileSize(w->real, size);
    }
    static int x_lock(sqlite3_file* f, int level) { return self(f)->real->pMethods->xLock(self(f)->real, level); }
    static int x_unlock(sqlite3_file* f, int level) { return self(f)->real->pMethods->xUnlock(self(f)->real, level); }
    static int x_check_reserved_lock(sqlite3_file* f, int* out) {
        return self(f)->real->pMethods->xCheckReservedLock(self(f)->real, out);
    }
    static int x_file_control(sqlite3_file* f, int op, void* arg) {
        auto* w = self(f);
        if (int rc = flush(*w); rc != SQLITE_OK) return rc;
        return w->real->pMethods->xFileControl(w->real, op, arg);
    }
    static int x_sector_size(sqlite3_file* f) { return self(f)->real->pMethods->xSectorSize(self(f)->real); }
    static int x_device_characteristics(sqlite3_file* f) {
        return self(f)->real->pMethods->xDeviceCharacteristics(self(f)->real);
    }
    static const sqlite3_io_methods* wal_methods() noexcept {
        // Version 1: SQLite maps shared memory through the database file, never the WAL, and
        // memory-maps only the database file (xFetch); a WAL file needs none of those methods.
        static const sqlite3_io_methods m = {
            1,
            x_close,
            x_read,
            x_write,
            x_truncate,
            x_sync,
            x_file_size,
            x_lock,
            x_unlock,
            x_check_reserved_lock,
            x_file_control,
            x_sector_size,
            x_device_characteristics,
            nullptr,
            nullptr,
            nullptr,
            nullptr, // xShmMap, xShmLock, xShmBarrier, xShmUnmap
            nullptr,
            nullptr, // xFetch, xUnfetch
        };
        return &m;
    }

    // ---- the VFS: WAL files are wrapped, every other file is the real VFS's own ----
    static int x_open(sqlite3_vfs* v, sqlite3_filename zname, sqlite3_file* f, int flags, int* out_flags) {
        sqlite3_vfs* real = real_vfs(v);
        if (!(flags & SQLITE_OPEN_WAL)) return real->xOpen(real, zname, f, flags, out_flags);
        auto* w = new (f) wal_file{};
        w->base.pMethods = nullptr;
        w->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + real_offset());
        std::memset(w->real, 0, static_cast<std::size_t>(real->szOsFile));
        int rc = real->xOpen(real, zname, w->real, flags, out_flags);
        if (rc != SQLITE_OK) {
            if (w->real->pMethods) w->real->pMethods->xClose(w->real);
            w->~wal_file();
            f->pMethods = nullptr;
            return rc;
        }
        w->base.pMethods = wal_methods();
        return SQLITE_OK;
    }
    static int x_delete(sqlite3_vfs* v, const char* z, int sync_dir) {
        return real_vfs(v)->xDelete(real_vfs(v), z, sync_dir);
    }
    static int x_access(sqlite3_vfs* v, const char* z, int flags, int* out) {
        return real_vfs(v)->xAccess(real_vfs(v), z, flags, out);
    }
    static int x_full_pathname(sqlite3_vfs* v, const char* z, int n, char* out) {
        return real_vfs(v)->xFullPathname(real_vfs(v), z, n, out);
    }
    static void* x_dl_open(sqlite3_vfs* v, const char* z) { return real_vfs(v)->xDlOpen(real_vfs(v), z); }
    static void x_dl_error(sqlite3_vfs* v, int n, char* out) { real_vfs(v)->xDlError(real_vfs(v), n, out); }
    static void (*x_dl_sym(sqlite3_vfs* v, void* h, const char* z))(void) {
        return real_vfs(v)->xDlSym(real_vfs(v), h, z);
    }
    static void x_dl_close(sqlite3_vfs* v, void* h) { real_vfs(v)->xDlClose(real_vfs(v), h); }
    static int x_randomness(sqlite3_vfs* v, int n, char* out) { return real_vfs(v)->xRandomness(real_vfs(v), n, out); }
    static int x_sleep(sqlite3_vfs* v, int us) { return real_vfs(v)->xSleep(real_vfs(v), us); }
    static int x_current_time(sqlite3_vfs* v, double* out) { return real_vfs(v)->xCurrentTime(real_vfs(v), out); }
    static int x_get_last_error(sqlite3_vfs* v, int n, char* out) {
        return real_vfs(v)->xGetLastError ? real_vfs(v)->xGetLastError(real_vfs(v), n, out) : 0;
    }
    static int x_current_time_int64(sqlite3_vfs* v, sqlite3_int64* out) {
        return real_vfs(v)->xCurrentTimeInt64(real_vfs(v), out);
    }
    static int x_set_system_call(sqlite3_vfs* v, const char* z, sqlite3_syscall_ptr p) {
        return real_vfs(v)->xSetSystemCall(real_vfs(v), z, p);
    }
    static sqlite3_syscall_ptr x_get_system_call(sqlite3_vfs* v, const char* z) {
        return real_vfs(v)->xGetSystemCall(real_vfs(v), z);
    }
    static const char* x_next_system_call(sqlite3_vfs* v, const char* z) {
        return real_vfs(v)->xNextSystemCall(real_vfs(v), z);
    }

    static sqlite3_vfs make_vfs(sqlite3_vfs* real) noexcept {
        sqlite3_vfs v{};
        // Versions 2 and 3 add methods; offer only those the real VFS has.
        v.iVersion = real->iVersion < 3 ? real->iVersion : 3;
        v.szOsFile = static_cast<int>(real_offset()) + real->szOsFile;
        v.mxPathname = real->mxPathname;
        v.zName = name;
        v.pAppData = real;
        v.xOpen = x_open;
        v.xDelete = x_delete;
        v.xAccess = x_access;
        v.xFullPathname = x_full_pathname;
        v.xDlOpen = real->xDlOpen ? x_dl_open : nullptr;
        v.xDlError = real->xDlError ? x_dl_error : nullptr;
        v.xDlSym = real->xDlSym ? x_dl_sym : nullptr;
        v.xDlClose = real->xDlClose ? x_dl_close : nullptr;
        v.xRandomness = x_randomness;
        v.xSleep = x_sleep;
        v.xCurrentTime = x_current_time;
        v.xGetLastError = x_get_last_error;
        if (v.iVersion >= 2) v.xCurrentTimeInt64 = real->xCurrentTimeInt64 ? x_current_time_int64 : nullptr;
        if (v.iVersion >= 3) {
            v.xSetSystemCall = real->xSetSystemCall ? x_set_system_call : nullptr;
            v.xGetSystemCall = real->xGetSystemCall ? x_get_system_call : nullptr;
            v.xNextSystemCall = real->xNextSystemCall ? x_next_system_call : nullptr;
        }
        return v;
    }
};

} // namespace kongflow::endpoints::sqlite::detail

#endif
