/* limiter.c - the shared bucket file and its lock-free GCRA buckets (see limiter.h). */
#include "limiter.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "file_check.h"
#include "panel/plugin.h"

#define LIMITER_MAGIC 0x314D494C4B504102ull  /* layout version 1 */
#define MINUTE_NS 60000000000ull
#define IDLE_NS (2 * MINUTE_NS)              /* a bucket this long unused is full: its slot may be reused */
#define RECLAIMING UINT64_MAX                /* tat of a slot being taken over */
#define PROBES 32u

typedef struct key_slot {
    _Atomic uint64_t tag;                    /* 0 free; else mix(bucket id ^ the database's salt) */
    _Atomic uint64_t tat;
} key_slot_t;

typedef struct addr_slot {
    _Atomic uint64_t tag;                    /* 0 free; else a keyed hash of the address */
    _Atomic uint64_t tat;
    _Atomic uint64_t last_ns;
    _Atomic uint64_t count;
    _Atomic uint64_t addr_hi, addr_lo;
    uint64_t reserved[2];
} addr_slot_t;

struct limiter_file {
    uint64_t magic;                          /* LIMITER_MAGIC once the table was made */
    char boot_id[40];                        /* all zeros when it could not be read */
    uint8_t hash_key[16];                    /* for the address hash, random per file */
    int64_t boot_s;                          /* the boot's wall-clock instant (Unix s); 0 in older files */
    uint8_t reserved[64 - 8 - 40 - 16 + 64 - 8];
    key_slot_t keys[LIMITER_KEY_SLOTS];
    addr_slot_t addrs[LIMITER_ADDR_SLOTS];
};

_Static_assert(sizeof(struct limiter_file) == 128 + LIMITER_KEY_SLOTS * 16 + LIMITER_ADDR_SLOTS * 64,
               "the shared layout has no padding");

static void read_boot_id(char out[40])
{
    memset(out, 0, 40);
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
    if (!f)
        return;
    if (!fgets(out, 40, f))
        memset(out, 0, 40);
    fclose(f);
}

/* When this machine booted, as a wall-clock instant: CLOCK_REALTIME - CLOCK_BOOTTIME (what /proc/stat's btime
 * is, without needing /proc). It moves only when the wall clock is stepped; a reboot moves it by the whole
 * uptime of the boot before. */
static int64_t boot_instant_s(void)
{
    struct timespec wall, up;
    if (clock_gettime(CLOCK_REALTIME, &wall) != 0 || clock_gettime(CLOCK_BOOTTIME, &up) != 0)
        return 0;
    return (int64_t)wall.tv_sec - (int64_t)up.tv_sec;
}

/* Boot instants this close are the same boot (the wall clock slewed or was stepped a little meanwhile). */
#define SAME_BOOT_S 60

/* Under the lock: sizes the file (growing only: a process that has it mapped never loses pages, so never gets
 * SIGBUS) and maps it. 0 or -1 (errno). */
static int map_file(int fd, struct limiter_file **out)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    if (st.st_size < (off_t)sizeof(struct limiter_file) && ftruncate(fd, (off_t)sizeof(struct limiter_file)) != 0)
        return -1;
    void *map = mmap(NULL, sizeof(struct limiter_file), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        return -1;
    *out = map;
    return 0;
}

/* 1 when the file was made in this boot: by the boot id, or, when it cannot be read (no /proc: a container,
 * a chroot), by the boot's wall-clock instant. When neither can be told (boot_s 0), the file is kept: a reset
 * at every open would refill every bucket whenever a process starts; a bucket left ahead of the clock is
 * repaired by take() instead. */
static int same_boot(const struct limiter_file *f, const char boot_id[40], int64_t boot_s)
{
    static const char unread[40];
    if (memcmp(f->boot_id, boot_id, 40) != 0)
        return 0;
    if (memcmp(boot_id, unread, 40) != 0 || boot_s == 0)
        return 1;
    return f->boot_s != 0 && f->boot_s - boot_s <= SAME_BOOT_S && boot_s - f->boot_s <= SAME_BOOT_S;
}

/* Under the lock: a file of another layout or of an earlier boot (whose monotonic times mean nothing now)
 * becomes a fresh, zeroed table of this boot with a new hash key. */
static void reset_if_foreign(struct limiter_file *f, const char boot_id[40], int64_t boot_s)
{
    if (f->magic == LIMITER_MAGIC && same_boot(f, boot_id, boot_s))
        return;
    memset(f->keys, 0, sizeof f->keys);
    memset(f->addrs, 0, sizeof f->addrs);
    memcpy(f->boot_id, boot_id, 40);
    f->boot_s = boot_s;
    randombytes_buf(f->hash_key, sizeof f->hash_key);
    f->magic = LIMITER_MAGIC; /* others read the header only under the same lock, in their limiter_open */
}

/* The database's salt: a keyed hash of its name with the file's random key, so no two databases' tags are
 * likely to meet (and nobody outside can choose names that make them). */
static uint64_t database_salt(const struct limiter_file *f, const char *database)
{
    uint8_t out[16];
    const char *name = database ? database : "";
    crypto_generichash(out, sizeof out, (const unsigned char *)name, strlen(name), f->hash_key, sizeof f->hash_key);
    uint64_t salt;
    memcpy(&salt, out, sizeof salt);
    return salt;
}

int32_t limiter_open(limiter_t *l, const char *data_dir, const char *database, char *err, size_t err_len)
{
    char path[4096];
    l->map = NULL;
    l->database_salt = 0;
    l->fd = -1;
    l->error[0] = '\0';
    memset(&l->shares, 0, sizeof l->shares); /* a node's shares start later, at its first verification */
    if ((size_t)snprintf(path, sizeof path, "%s/%s", data_dir, LIMITER_FILE) >= sizeof path) {
        snprintf(l->error, sizeof l->error, "the data directory path is too long for %s", LIMITER_FILE);
        goto out;
    }
    l->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (l->fd < 0)
        goto fail;
    if (apikeys_check_file(l->fd, path, l->error, sizeof l->error) != PANEL_OK)
        goto out;
    char boot_id[40];
    read_boot_id(boot_id);
    while (flock(l->fd, LOCK_EX) != 0)
        if (errno != EINTR)
            goto fail;
    struct limiter_file *map = NULL;
    int mapped = map_file(l->fd, &map);
    int saved = errno;
    if (mapped == 0) {
        reset_if_foreign(map, boot_id, boot_instant_s());
        l->database_salt = database_salt(map, database);
    }
    flock(l->fd, LOCK_UN);
    errno = saved;
    if (mapped != 0)
        goto fail;
    l->map = map;
    return PANEL_OK;
fail:
    snprintf(l->error, sizeof l->error,
             "cannot use %.300s: %s; check the data directory's owner, permissions and free space", path,
             strerror(errno));
out:
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
    snprintf(err, err_len, "%s", l->error);
    return PANEL_E_STORE;
}

void limiter_close(limiter_t *l)
{
    if (l->map)
        munmap(l->map, sizeof(struct limiter_file));
    if (l->fd >= 0)
        close(l->fd);
    l->map = NULL;
    l->fd = -1;
}

/* ----- slots: claim by tag, take over idle ones ----------------------------------------------------------- */

/* The slot at index i of a table whose slots are `stride` bytes, as its (tag, tat) pair. */
#define SLOT_TAG(base, stride, i) ((_Atomic uint64_t *)((char *)(base) + (size_t)(i) * (stride)))
#define SLOT_TAT(base, stride, i) (SLOT_TAG(base, stride, i) + 1)

static uint64_t mix(uint64_t x) /* splitmix64's finaliser: spreads key ids over the table */
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static long take_over(void *base, size_t stride, size_t n, size_t home, uint64_t tag, uint64_t now_ns,
                      int *fresh);

/* Finds or claims the slot of `tag` among PROBES slots from `home` (a well-mixed hash); *fresh = 1 when it was claimed now (the
 * caller fills its other fields). -1 when every probed slot belongs to a key used in the last 2 minutes. */
static inline __attribute__((always_inline)) long find_slot(void *base, size_t stride, size_t n, uint64_t tag,
                                                            size_t home, uint64_t now_ns, int *fresh)
{
    home &= n - 1;
    *fresh = 0;
    for (unsigned i = 0; i < PROBES; i++) {
        size_t at = (home + i) & (n - 1);
        _Atomic uint64_t *t = SLOT_TAG(base, stride, at);
        uint64_t seen = atomic_load(t);
        if (seen == tag)
            return (long)at;
        if (seen == 0) {
            uint64_t expected = 0;
            if (atomic_compare_exchange_strong(t, &expected, tag)) {
                *fresh = 1;
                return (long)at;
            }
            if (expected == tag)
                return (long)at;
        }
    }
    return take_over(base, stride, n, home, tag, now_ns, fresh);
}

/* Takes over an idle slot among the PROBES from home. Its old owner's pending CAS on tat fails (tat moved to
 * RECLAIMING and then to a later time than any it could have read), and an owner that reads tat afterwards
 * sees the new tag. */
static __attribute__((noinline)) long take_over(void *base, size_t stride, size_t n, size_t home, uint64_t tag,
                                                uint64_t now_ns, int *fresh)
{
    for (unsigned i = 0; i < PROBES; i++) {
        size_t at = (home + i) & (n - 1);
        _Atomic uint64_t *tat = SLOT_TAT(base, stride, at);
        uint64_t old = atomic_load(tat);
        if (old == RECLAIMING || old + IDLE_NS > now_ns)
            continue;
        if (!atomic_compare_exchange_strong(tat, &old, RECLAIMING))
            continue;
        atomic_store(SLOT_TAG(base, stride, at), tag);
        atomic_store(tat, now_ns);
        *fresh = 1;
        return (long)at;
    }
    return -1;
}

/* One GCRA step on the slot's tat: N per minute, burst N. */
static inline __attribute__((always_inline)) int take(void *base, size_t stride, size_t at, uint64_t tag,
                                                     uint64_t per_minute, uint64_t now_ns,
                int64_t *retry_after_s)
{
    _Atomic uint64_t *tat = SLOT_TAT(base, stride, at);
    uint64_t period = MINUTE_NS / per_minute, horizon = period * per_minute;
    for (;;) {
        uint64_t old = atomic_load(tat);
        if (atomic_load(SLOT_TAG(base, stride, at)) != tag || old == RECLAIMING)
            return -1; /* taken over meanwhile: find the slot again */
        if (old > now_ns + horizon) {
            /* A time no request of this clock could have set (a clock from before a reboot the file survived,
             * another clock namespace): repair the bucket to empty now, never to full, and decide again. Left
             * as it was, every request until the clock caught up would be refused. */
            atomic_compare_exchange_weak(tat, &old, now_ns + horizon);
            continue;
        }
        uint64_t start = old > now_ns ? old : now_ns;
        uint64_t next = start + period;
        if (next - now_ns > horizon) {
            uint64_t wait = next - now_ns - horizon;
            *retry_after_s = (int64_t)((wait + 999999999ull) / 1000000000ull);
            return LIMIT_EXCEEDED;
        }
        if (atomic_compare_exchange_weak(tat, &old, next))
            return LIMIT_OK;
    }
}

int limiter_take_key(limiter_t *l, int64_t key_id, uint32_t per_minute, uint64_t now_ns, int64_t *retry_after_s)
{
    *retry_after_s = 0;
    /* A node of a shared store takes a token of its share first; then, as on one machine, of the machine's bucket
     * of the whole limit, which this machine's processes share (so short-lived processes, each a node with a full
     * share bucket of its own, still never pass the limit on one machine). */
    if (atomic_load_explicit(&l->shares.slots, memory_order_relaxed)) {
        int r = ratelimit_share_take(&l->shares, key_id, per_minute, now_ns, retry_after_s);
        if (r != LIMIT_OK)
            return r;
    }
    if (!l->map || key_id <= 0 || per_minute == 0)
        return LIMIT_UNAVAILABLE;
    /* mix is a bijection: within one database distinct ids never share a tag; the tag is mixed already, so it
     * is its own home slot. 0 marks a free slot. */
    uint64_t tag = mix((uint64_t)key_id ^ l->database_salt);
    tag = tag ? tag : 1;
    for (int attempt = 0; attempt < 4; attempt++) {
        int fresh;
        long at = find_slot(l->map->keys, sizeof(key_slot_t), LIMITER_KEY_SLOTS, tag, (size_t)tag, now_ns, &fresh);
        if (at < 0)
            return LIMIT_UNAVAILABLE;
        int r = take(l->map->keys, sizeof(key_slot_t), (size_t)at, tag, per_minute, now_ns, retry_after_s);
        if (r >= 0)
            return r;
    }
    return LIMIT_UNAVAILABLE;
}

int limiter_note_invalid(limiter_t *l, const cidr_addr_t *addr, uint64_t now_ns, int64_t *retry_after_s)
{
    *retry_after_s = 0;
    if (!l->map)
        return LIMIT_UNAVAILABLE;
    /* One keyed mix, not SipHash: it runs for every invalid key. Distinct IPv4 addresses (hi = 0) never share a
     * tag (mix is a bijection; only 0 is remapped); for IPv6 a collision only makes two addresses
     * share one throttle, never touches a valid key. The tag is mixed already, so it is its own home slot. */
    uint64_t k0, k1;
    memcpy(&k0, l->map->hash_key, 8);
    memcpy(&k1, l->map->hash_key + 8, 8);
    uint64_t h = (((addr->hi ^ k0) * 0x9E3779B97F4A7C15ull) ^ addr->lo ^ k1) * 0xbf58476d1ce4e5b9ull;
    h ^= h >> 31; /* an odd multiply and a xorshift: both bijections */
    uint64_t tag = h ? h : 1; /* 0 marks a free slot */
    for (int attempt = 0; attempt < 4; attempt++) {
        int fresh;
        long at = find_slot(l->map->addrs, sizeof(addr_slot_t), LIMITER_ADDR_SLOTS, tag, (size_t)(h >> 32), now_ns,
                            &fresh);
        if (at < 0)
            return LIMIT_UNAVAILABLE;
        addr_slot_t *s = &l->map->addrs[at];
        if (fresh) {
            atomic_store_explicit(&s->addr_hi, addr->hi, memory_order_relaxed);
            atomic_store_explicit(&s->addr_lo, addr->lo, memory_order_relaxed);
            atomic_store_explicit(&s->count, 0, memory_order_relaxed);
        }
        int r = take(l->map->addrs, sizeof(addr_slot_t), (size_t)at, tag, LIMITER_INVALID_PER_MINUTE, now_ns,
                     retry_after_s);
        if (r < 0)
            continue;
        /* For the page only: a plain relaxed increment (two processes may lose one of a pair), no locked RMW. */
        atomic_store_explicit(&s->count, atomic_load_explicit(&s->count, memory_order_relaxed) + 1,
                              memory_order_relaxed);
        if (atomic_load_explicit(&s->last_ns, memory_order_relaxed) != now_ns)
            atomic_store_explicit(&s->last_ns, now_ns, memory_order_relaxed);
        return r;
    }
    return LIMIT_UNAVAILABLE;
}

size_t limiter_top_invalid(const limiter_t *l, uint64_t now_ns, uint64_t max_age_s, limiter_addr_row_t *rows,
                           size_t max)
{
    size_t n = 0;
    if (!l->map || max == 0)
        return 0;
    for (size_t i = 0; i < LIMITER_ADDR_SLOTS; i++) {
        addr_slot_t *s = &l->map->addrs[i];
        if (!atomic_load_explicit(&s->tag, memory_order_relaxed))
            continue;
        uint64_t last = atomic_load_explicit(&s->last_ns, memory_order_relaxed);
        uint64_t count = atomic_load_explicit(&s->count, memory_order_relaxed);
        if (!count || last > now_ns || (now_ns - last) / 1000000000ull > max_age_s)
            continue;
        limiter_addr_row_t row = {{atomic_load_explicit(&s->addr_hi, memory_order_relaxed),
                                   atomic_load_explicit(&s->addr_lo, memory_order_relaxed)},
                                  count, (now_ns - last) / 1000000000ull};
        size_t pos = n < max ? n++ : max;
        if (pos == max) { /* full: replace the smallest when this one is larger */
            if (rows[max - 1].count >= count)
                continue;
            pos = max - 1;
        }
        while (pos > 0 && rows[pos - 1].count < count) {
            rows[pos] = rows[pos - 1];
            pos--;
        }
        rows[pos] = row;
    }
    return n;
}
