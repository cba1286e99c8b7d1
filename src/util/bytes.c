/* bytes.c — growable byte buffer; see bytes.h. */
#include "util/bytes.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

int bytes_reserve(struct bytes *b, size_t extra)
{
    if (b->oom)
        return ERR_NOMEM;
    if (extra <= b->cap - b->len)
        return 0;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->oom = true;
        return err_set(ERR_NOMEM, "buffer of %zu+%zu bytes", b->len, extra);
    }
    size_t want = b->len + extra;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < want)
        cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p) {
        b->oom = true;
        return err_set(ERR_NOMEM, "buffer of %zu bytes", cap);
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int bytes_append(struct bytes *b, const void *p, size_t n)
{
    if (n == 0)
        return b->oom ? ERR_NOMEM : 0;
    int rc = bytes_reserve(b, n);
    if (rc)
        return rc;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

int bytes_push(struct bytes *b, uint8_t c)
{
    int rc = bytes_reserve(b, 1);
    if (rc)
        return rc;
    b->data[b->len++] = c;
    return 0;
}

int bytes_ok(const struct bytes *b)
{
    return b->oom ? err_set(ERR_NOMEM, "buffer allocation failed") : 0;
}

void bytes_reset(struct bytes *b)
{
    b->len = 0;
    b->oom = false;
}

void bytes_free(struct bytes *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = false;
}

uint8_t *bytes_steal(struct bytes *b, size_t *len)
{
    uint8_t *p = b->len ? b->data : NULL;
    if (!p)
        free(b->data);
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = false;
    return p;
}
