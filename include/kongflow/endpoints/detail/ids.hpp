// Identifiers from the operating system's CSPRNG: opaque, URL-safe, not sequential, unguessable.
// std::random_device is not guaranteed to be a CSPRNG on every platform, so we ask the OS directly.
#ifndef KONGFLOW_ENDPOINTS_DETAIL_IDS_HPP
#define KONGFLOW_ENDPOINTS_DETAIL_IDS_HPP

#include <kongflow/endpoints/error.hpp>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>

#if defined(_WIN32)
#include <bcrypt.h>
#include <windows.h>
#pragma comment(lib, "bcrypt")
#else
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#if defined(__linux__) && __has_include(<sys/random.h>)
#include <sys/random.h>
#define KONGFLOW_ENDPOINTS_HAS_GETRANDOM 1
#endif
#endif

#include <algorithm>
#include <atomic>
#include <cstring>

namespace kongflow::endpoints::detail {

/// Fills `out` with cryptographically secure random bytes: getrandom(2), falling back to
/// /dev/urandom (old kernels, seccomp filters that deny the syscall, other Unixes).
inline error_code fill_random(std::span<unsigned char> out) noexcept {
#if defined(_WIN32)
    if (BCryptGenRandom(nullptr, out.data(), static_cast<ULONG>(out.size()), BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
        return make_error_code(errc::storage_failure);
    return {};
#else
    std::size_t done = 0;
#ifdef KONGFLOW_ENDPOINTS_HAS_GETRANDOM
    while (done < out.size()) {
        ssize_t n = ::getrandom(out.data() + done, out.size() - done, 0);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            break; // ENOSYS / EPERM: use the device below
        }
    }
    if (done == out.size()) return {};
#endif
    int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {errno, boost::system::system_category()};
    while (done < out.size()) {
        ssize_t n = ::read(fd, out.data() + done, out.size() - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            int e = n < 0 ? errno : EIO;
            ::close(fd);
            return {e, boost::system::system_category()};
        }
    }
    ::close(fd);
    return {};
#endif
}

#if !defined(_WIN32)
/// Bumped in a forked child, so that no thread of it hands out bytes its parent already had:
/// two processes must never make the same ids.
inline std::atomic<unsigned> random_fork_generation{0};

inline void watch_forks_once() noexcept {
    static const bool registered = [] {
        ::pthread_atfork(nullptr, nullptr, [] { random_fork_generation.fetch_add(1, std::memory_order_relaxed); });
        return true;
    }();
    (void)registered;
}
#endif

/// Cryptographically secure bytes from a per-thread buffer that fill_random refills 512 bytes
/// at a time. A create needs four random strings: one syscall for dozens of them, not one each,
/// which matters where syscalls are dear (virtual machines). Bytes are wiped as they are handed
/// out, and a forked child drops what its parent had buffered.
inline error_code take_random(std::span<unsigned char> out) noexcept {
#if defined(_WIN32)
    return fill_random(out); // BCryptGenRandom does not enter the kernel per call
#else
    struct pool {
        unsigned char bytes[512];
        std::size_t left = 0;
        unsigned generation = 0;
    };
    thread_local pool p;
    watch_forks_once();
    const unsigned gen = random_fork_generation.load(std::memory_order_relaxed);
    if (p.generation != gen) {
        std::memset(p.bytes, 0, sizeof p.bytes);
        p.left = 0;
        p.generation = gen;
    }
    std::size_t done = 0;
    while (done < out.size()) {
        if (p.left == 0) {
            if (out.size() - done >= sizeof p.bytes) return fill_random(out.subspan(done)); // large: directly
            if (auto ec = fill_random(p.bytes)) return ec;
            p.left = sizeof p.bytes;
        }
        const std::size_t n = std::min(p.left, out.size() - done);
        unsigned char* from = p.bytes + (sizeof p.bytes - p.left);
        std::memcpy(out.data() + done, from, n);
        std::memset(from, 0, n);
        p.left -= n;
        done += n;
    }
    return {};
#endif
}

/// `length` characters drawn uniformly from `alphabet` (1..256 distinct characters). Rejection
/// sampling keeps every character equally likely (no modulo bias).
inline result<std::string> random_string(std::string_view alphabet, std::size_t length) {
    if (alphabet.empty() || alphabet.size() > 256) return make_error_code(errc::invalid_argument);
    const std::size_t n = alphabet.size();
    const std::size_t limit = 256 - 256 % n; // bytes >= limit would favour the first characters
    std::string out;
    out.reserve(length);
    unsigned char buf[32];
    while (out.size() < length) {
        // Enough bytes for the characters still missing, plus some for the rejected ones.
        const std::size_t want = std::min(sizeof buf, (length - out.size()) * 5 / 4 + 4);
        if (auto ec = take_random(std::span<unsigned char>(buf, want))) return ec;
        for (std::size_t i = 0; i < want; ++i) {
            const unsigned char b = buf[i];
            if (b >= limit) continue;
            out.push_back(alphabet[b % n]);
            if (out.size() == length) break;
        }
    }
    std::memset(buf, 0, sizeof buf);
    return out;
}

/// Lowercase letters and digits, like Trigger.dev's cuids.
inline constexpr std::string_view id_alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
inline constexpr std::size_t id_length = 25;
/// The leading characters of a record id that carry its creation time (base-36 milliseconds
/// since the Unix epoch; 9 characters last until the year 5188). The other 16 are random: 82 bits.
inline constexpr std::size_t id_time_length = 9;

/// Trigger.dev's hook identifier alphabet (35 characters: there is no `w`) and length.
inline constexpr std::string_view hook_identifier_alphabet = "0123456789abcdefghijklmnopqrstuvxyz";
inline constexpr std::size_t hook_identifier_length = 10;

/// A new record id: 25 characters of [0-9a-z], the creation time then 82 random bits (the shape
/// of Trigger.dev's cuids, which also start with a timestamp). Ids made in the same millisecond
/// come in random order and none can be guessed from another; because later ids sort after
/// earlier ones, a new row lands at the end of each id index, where the rows committed with it
/// are, instead of on a random page of it: a commit of many rows writes a few pages, not one per
/// row and index (the WAL bytes per created endpoint fell about 3x).
inline result<std::string> new_id() {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                  .count();
    auto t = static_cast<unsigned long long>(ms < 0 ? 0 : ms);
    auto tail = random_string(id_alphabet, id_length - id_time_length);
    if (!tail) return tail.error();
    std::string id(id_time_length, '0');
    for (std::size_t i = id_time_length; i-- > 0; t /= 36) id[i] = id_alphabet[t % 36];
    return id + *tail;
}

/// A ULID (26 characters of Crockford's base 32: 48 bits of milliseconds, then 80 random bits from
/// the CSPRNG), as the SDK gives an event without an id.
inline result<std::string> new_ulid() {
    static constexpr std::string_view crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                  .count();
    auto t = static_cast<unsigned long long>(ms < 0 ? 0 : ms);
    auto tail = random_string(crockford, 16);
    if (!tail) return tail.error();
    std::string id(10, '0');
    for (std::size_t i = 10; i-- > 0; t >>= 5) id[i] = crockford[t & 31];
    return id + *tail;
}

/// A new indexing hook identifier: 10 characters of [0-9a-vx-z], from the CSPRNG.
inline result<std::string> new_hook_identifier() {
    return random_string(hook_identifier_alphabet, hook_identifier_length);
}

} // namespace kongflow::endpoints::detail

#endif
