/*
 * state_internal.h — the data structures behind struct state, shared by the
 * files of the state module (not a public header).
 *
 * Shape (why): an address maps to one `struct acct` for the whole life of
 * the state (a stable heap pointer that journal entries and work lists can
 * hold). What the account currently is lives in a separate `struct obj`
 * (acct->obj, NULL when the account does not exist). Creating an account
 * over an existing one, or deleting one, swaps that pointer, exactly like
 * geth swaps its stateObject: the journal keeps the previous object alive
 * until the transaction ends, so a revert restores it in O(1) with its
 * storage cache intact, and a recreated account starts with empty storage
 * without ever reading the old storage trie.
 *
 * Work lists keep every pass proportional to what changed:
 *  - s->dirty: accounts with journal entries in the current transaction
 *    (geth's journal.dirties), processed by state_tx_finalize;
 *  - s->pending: accounts finalized since the last state_root, whose
 *    account-trie entry (and pending storage slots) must be rewritten;
 *  - s->uncommitted: accounts whose storage trie got new nodes since the
 *    last state_commit;
 *  - obj->pending: slot indices finalized but not yet written into the
 *    storage trie.
 * A flag on the account (ACCT_IN_*) or slot (SLOT_PENDING) keeps each list
 * free of duplicates.
 */
#ifndef SPECTRUM_STATE_STATE_INTERNAL_H
#define SPECTRUM_STATE_STATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/state.h"
#include "util/bytes.h"
#include "util/err.h"

/* keccak256("") */
extern const struct hash32 STATE_EMPTY_CODE_HASH;

/* ---- storage slots ------------------------------------------------------- */

#define SLOT_PENDING 1u /* in obj->pending: finalized, not yet in the storage trie */

struct slot {
    u256 key;
    u256 committed; /* value at the start of the transaction */
    u256 current;
    uint32_t flags;
};

/* A hash map u256 -> slot: slots live densely in v (insertion order, never
 * removed, so an index stays valid while the map lives); idx is an open
 * addressing table (linear probing, at most half full) of index + 1, 0 for
 * an empty bucket. */
struct slotmap {
    struct slot *v;
    uint32_t n, cap;
    uint32_t *idx;
    uint32_t mask; /* buckets - 1; meaningless while idx == NULL */
};

#define SLOT_NONE UINT32_MAX

/* ---- accounts ------------------------------------------------------------ */

struct acct;

/* One incarnation of an account. */
struct obj {
    struct acct *acct;
    uint64_t nonce;
    u256 balance;
    uint8_t storage_root[32];  /* root of the storage as last hashed/loaded */
    struct hash32 code_hash;
    bool no_code;              /* code_hash == keccak256("") */
    bool code_loaded;          /* code/code_len are valid */
    bool code_new;             /* code set since the last finalize */
    bool selfdestructed;
    bool strie_dirty;          /* strie has nodes not yet committed */
    uint8_t *code;             /* owned; NULL when no code (or not loaded) */
    size_t code_len;
    struct trie *strie;        /* storage trie, opened on first need */
    struct slotmap slots;
    uint32_t *pending;         /* slot indices with SLOT_PENDING */
    uint32_t npending, cpending;
};

#define ACCT_IN_DIRTY 1u       /* in s->dirty */
#define ACCT_STICKY 2u         /* RIPEMD quirk: dirty whatever reverts do */
#define ACCT_IN_PENDING 4u     /* in s->pending */
#define ACCT_IN_UNCOMMITTED 8u /* in s->uncommitted */

struct acct {
    struct address addr;
    uint8_t flags;
    uint32_t dirty;            /* journal entries of this tx that dirty it */
    struct obj *obj;           /* NULL: the account does not exist */
};

/* ---- journal ------------------------------------------------------------- */

enum jkind {
    J_CREATE,        /* acct->obj replaced; u.prev_obj is the previous one */
    J_BALANCE,       /* u.balance: previous balance */
    J_NONCE,         /* u.nonce */
    J_CODE,          /* u.code: previous code (owned by the entry) */
    J_STORAGE,       /* u.slot: key and previous current value */
    J_SELFDESTRUCT,  /* prev_flag, u.balance */
    J_TOUCH,
    J_REFUND,        /* u.refund */
    J_LOG,           /* the last log was appended */
};

struct jentry {
    uint8_t kind;
    bool prev_flag;   /* J_SELFDESTRUCT: previous flag; J_CODE: previous code_loaded */
    bool prev_no_code;/* J_CODE */
    struct acct *acct;/* NULL for J_REFUND and J_LOG */
    union {
        struct obj *prev_obj;
        u256 balance;
        uint64_t nonce;
        uint64_t refund;
        struct {
            u256 key, prev;
        } slot;
        struct {
            uint8_t *code;
            size_t len;
            struct hash32 hash;
        } code;
    } u;
};

/* ---- the state ------------------------------------------------------------ */

struct amap_ent {
    struct address addr;
    struct acct *p; /* NULL: empty bucket */
};

struct codeblob {
    struct hash32 hash;
    uint8_t *code;  /* owned */
    size_t len;
};

struct state {
    struct trie_store store;
    bool has_store;
    struct trie *atrie;        /* the account trie (secure) */
    int err;                   /* sticky error */
    char errmsg[256];          /* its context */
    uint64_t seed[4];          /* hash seed (random per state) */

    struct amap_ent *amap;     /* address -> acct, open addressing */
    size_t amask, acount;

    struct jentry *j;
    size_t jlen, jcap;

    struct acct **dirty;
    size_t ndirty, cdirty;
    struct acct **pending;
    size_t npending, cpending;
    struct acct **uncommitted;
    size_t nuncommitted, cuncommitted;
    struct codeblob *codes;    /* code to write at the next commit */
    size_t ncodes, ccodes;

    struct log *logs;
    size_t nlogs, clogs;
    uint64_t refund;
};

/* ---- state.c ------------------------------------------------------------- */

/* Records `rc` as the sticky error (the first one wins) with the current
 * error context. Returns rc. */
int state_fail(struct state *s, int rc);

/* Returns the array p (of `size`-byte elements, capacity *cap) grown to hold
 * at least `need` elements, updating *cap; p itself when it already does.
 * NULL when out of memory (context set; p is unchanged and still owned by
 * the caller). */
void *state_grow(void *p, size_t *cap, size_t need, size_t size);

/* Appends one account to a work list (s->dirty etc.) unless `flag` is
 * already set on it; sets the flag. Returns 0 or ERR_NOMEM (sticky). */
int state_list_add(struct state *s, struct acct ***list, size_t *n, size_t *cap,
                   struct acct *a, uint8_t flag);

/* ---- state_map.c ------------------------------------------------------------ */

/* Fills seed with words no contract can predict (hash flooding: storage keys
 * and called addresses are chosen by contracts), distinct for every call:
 * derived from a secret key drawn once per process and a counter. */
void state_seed(uint64_t seed[4]);

/* Finds the account record of `a`, or NULL when it is not cached. */
struct acct *amap_find(const struct state *s, const struct address *a);
/* Inserts a record known not to be present. Returns 0 or ERR_NOMEM. */
int amap_insert(struct state *s, struct acct *p);

/* Index of `key` in m, or SLOT_NONE. */
uint32_t slotmap_find(const struct slotmap *m, const uint64_t seed[4], const u256 *key);
/* Appends a slot for a key known not to be present (value fields zeroed).
 * Returns its index, or SLOT_NONE when out of memory. */
uint32_t slotmap_insert(struct slotmap *m, const uint64_t seed[4], const u256 *key);
void slotmap_free(struct slotmap *m);

/* ---- state_account.c -------------------------------------------------------- */

/* The record for `a`, loading the account from the trie on first use. NULL
 * only when out of memory (sticky error set). A missing trie node sets the
 * sticky error and caches the account as absent. */
struct acct *acct_get(struct state *s, const struct address *a);

/* A new empty account object (nonce 0, balance 0, no code, empty storage).
 * NULL when out of memory (sticky error set). */
struct obj *obj_new(struct state *s, struct acct *ac);
void obj_free(struct obj *o);
bool obj_empty(const struct obj *o);

/* The account trie value [nonce, balance, storageRoot, codeHash]. */
int obj_encode(const struct obj *o, struct bytes *out);

/* Opens o->strie if needed. Returns 0 or an error (not made sticky). */
int obj_open_storage(struct state *s, struct obj *o);

/* The current object of `a` (NULL when the account does not exist), loading
 * it on first use. */
struct obj *state_obj(struct state *s, const struct address *a);
/* Same, but creates a missing account first (journaled, as geth's
 * getOrNewStateObject). NULL only on allocation failure (sticky error). */
struct obj *state_obj_mut(struct state *s, const struct address *a);

/* ---- state_storage.c ------------------------------------------------------------ */

/* The cached slot of `key` in o, or NULL when not cached. */
struct slot *obj_slot_find(const struct state *s, struct obj *o, const u256 *key);
/* Queues slot `idx` for writing into the storage trie. Returns 0 or
 * ERR_NOMEM (sticky). */
int obj_slot_pending(struct state *s, struct obj *o, uint32_t idx);
/* Writes the queued slots (if any) into o's storage trie, rehashes it into
 * o->storage_root and lists the account for the next commit. Returns 0 or
 * an error (not made sticky). */
int obj_flush_storage(struct state *s, struct obj *o);

/* ---- state_journal.c ---------------------------------------------------------- */

/* Appends e, counting it against e->acct's dirtiness. Returns 0, or
 * ERR_NOMEM (sticky error set; the caller must then skip the change). */
int journal_push(struct state *s, const struct jentry *e);

/* Marks ac dirty for this transaction beyond any revert (the RIPEMD quirk). */
void journal_sticky_dirty(struct state *s, struct acct *ac);

/* Frees what the journal owns (replaced objects, replaced code) and empties
 * it. */
void journal_clear(struct state *s);

#endif
