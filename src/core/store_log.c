/* The state log: clusters/<name>.state is a
 * snapshot of a cluster's nodes; each later change of a node appends one
 * record to clusters/<name>.state.log and fsyncs it, so a node step costs
 * the size of the nodes it changed, not of the cluster. A snapshot save
 * (store_save_status: every so many records, and on a clean stop) takes the
 * log in and removes it.
 *
 * A record is a header line and a body:
 *
 *   @<seq> <length> <crc32>\n<length bytes>
 *
 * seq counts up across the cluster's life (a snapshot keeps the last one
 * it includes as log_seq, and the loader skips records up to it); length is
 * the body's bytes, crc32 zlib's CRC-32 of the body, in hexadecimal. The
 * body is libconfig text in the state file's format: nodes = ( ... ) with
 * each changed node whole (state "removed": it left the cluster) and, when
 * it changed, the health group. A record cut short at the log's end (a
 * crash mid-append, never acknowledged) is dropped, said only in the log at
 * info level. Any other damage (a body whose CRC does not match, a header
 * that does not parse, a record that does not load) loses only that record:
 * it is reported as a diagnostic naming the log's line, the replay goes on
 * with the next intact record (each holds the nodes it changed whole), and
 * the next save writes a snapshot, which removes the damaged log. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/store_priv.h"
#include "core/util.h"

/* A snapshot is due after this many records, or after as many as the
 * cluster has nodes times STORE_LOG_PER_NODE, whichever is more: writing
 * the snapshot costs about one record per node, so this keeps its share
 * of each record's cost constant. */
enum { STORE_LOG_MIN_RECORDS = 256, STORE_LOG_PER_NODE = 4 };

static char *
log_rel(const char *cluster)
{
    return xasprintf("clusters/%s.state.log", cluster);
}

/* Make a new file's name in dir durable (as util_write_atomic does). */
static void
fsync_dir_of(const char *path)
{
    char *dir = util_dirname(path);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    free(dir);
}

void
store_log_remove(struct dr_store *s, const char *cluster)
{
    char *rel = log_rel(cluster);
    char *path = store_state_path(s, rel);

    if (unlink(path) != 0 && errno != ENOENT)
        log_warn("%s: cannot remove: %s", path, strerror(errno));
    free(path);
    free(rel);
}

static struct dr_cluster_status *
find_status(struct dr_store *s, const char *cluster)
{
    for (size_t i = 0; i < s->n_statuses; i++)
        if (str_eq(s->statuses[i].cluster, cluster))
            return &s->statuses[i];
    return NULL;
}

bool
store_log_due(const struct dr_store *s, const char *cluster, size_t n_nodes)
{
    const struct dr_cluster_status *st = store_find_status(s, cluster);
    size_t limit = n_nodes * STORE_LOG_PER_NODE;

    if (limit < STORE_LOG_MIN_RECORDS)
        limit = STORE_LOG_MIN_RECORDS;
    return st == NULL || st->log_torn || st->log_records >= limit;
}

/* Take node n (moved: *n is left empty) into st: it replaces the node of
 * its name, or is added; a removed node takes that node out. */
static void
merge_node(struct dr_cluster_status *st, struct dr_node *n, size_t *cap)
{
    size_t i;

    for (i = 0; i < st->n_nodes && !str_eq(st->nodes[i].name, n->name); i++)
        ;
    if (n->state == DR_NODE_REMOVED) {
        if (i < st->n_nodes) {
            node_done(&st->nodes[i]);
            memmove(&st->nodes[i], &st->nodes[i + 1], (st->n_nodes - i - 1) * sizeof *st->nodes);
            st->n_nodes--;
        }
        node_done(n);
        return;
    }
    if (i == st->n_nodes) {
        st->nodes = xgrow(st->nodes, cap, st->n_nodes + 1, sizeof *st->nodes);
        st->n_nodes++;
    } else {
        node_done(&st->nodes[i]);
    }
    st->nodes[i] = *n;
    memset(n, 0, sizeof *n);
}

/* Merge a parsed record into st. */
static void
merge_record(struct dr_cluster_status *st, struct dr_cluster_status *rec, bool has_health,
             size_t *cap)
{
    for (size_t i = 0; i < rec->n_nodes; i++)
        merge_node(st, &rec->nodes[i], cap);
    if (has_health) {
        free(st->health.error);
        st->health = rec->health;
        rec->health.error = NULL;
    }
}

/* One record's header at p (end: the data's end): its seq, body length and
 * CRC; NULL when it is no whole header. */
static const char *
read_header(const char *p, const char *end, unsigned long *seq, size_t *len, unsigned long *crc)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    char *q;

    if (nl == NULL || *p != '@' || nl - p > 64)
        return NULL;
    errno = 0;
    *seq = strtoul(p + 1, &q, 10);
    if (q == p + 1 || *q != ' ')
        return NULL;
    p = q + 1;
    *len = strtoul(p, &q, 10);
    if (q == p || *q != ' ')
        return NULL;
    p = q + 1;
    *crc = strtoul(p, &q, 16);
    if (q == p || q != nl || errno != 0)
        return NULL;
    return nl + 1;
}

/* Whether a whole, intact record starts at p: a header whose body is there
 * and matches its CRC. */
static bool
record_at(const char *p, const char *end)
{
    unsigned long seq, crc;
    size_t blen;
    const char *body = read_header(p, end, &seq, &blen, &crc);

    return body != NULL && blen <= (size_t)(end - body) &&
           crc32(0L, (const Bytef *)body, (uInt)blen) == crc;
}

/* The start of the first intact record after p that begins a line, or end. */
static const char *
resync(const char *p, const char *end)
{
    for (const char *q = p; q < end; q++) {
        q = memchr(q, '\n', (size_t)(end - q));
        if (q == NULL)
            break;
        if (q + 1 < end && q[1] == '@' && record_at(q + 1, end))
            return q + 1;
    }
    return end;
}

/* Whether the bytes at p..end can be the start of a record that a crash
 * cut short (the one write of an append, interrupted): a header with no
 * line end yet, or a whole header whose body is shorter than it says. */
static bool
cut_short(const char *p, const char *end)
{
    unsigned long seq, crc;
    size_t blen;
    const char *body = read_header(p, end, &seq, &blen, &crc);

    if (body != NULL)
        return blen > (size_t)(end - body);
    return memchr(p, '\n', (size_t)(end - p)) == NULL && *p == '@' && end - p <= 64;
}

static int
count_lines(const char *from, const char *to)
{
    int n = 0;

    while (from < to && (from = memchr(from, '\n', (size_t)(to - from))) != NULL) {
        n++;
        from++;
    }
    return n;
}

void
store_log_replay(struct cfg_ctx *c, const char *path, struct dr_cluster_status *st)
{
    struct dr_error e = {0};
    char *data = NULL;
    size_t len = 0, cap = st->n_nodes;
    const char *p, *end, *counted;
    int line = 1;            /* of p */
    unsigned long prev = 0; /* the intact record before p's seq; 0: none, or damage between */

    if (util_read_file(path, &data, &len, &e) != DR_E_OK) {
        if (e.code != DR_E_NOTFOUND) {
            st->log_torn = true;
            store_diag_add(c->s, c->file, 0, NULL, "%s", dr_error_text(&e));
        }
        return;
    }
    p = counted = data;
    end = data + len;
    while (p < end) {
        unsigned long seq, crc;
        size_t blen;
        const char *body = read_header(p, end, &seq, &blen, &crc);

        line += count_lines(counted, p);
        counted = p;
        if (body == NULL || blen > (size_t)(end - body) ||
            crc32(0L, (const Bytef *)body, (uInt)blen) != crc) {
            /* Not an intact record. Records hold the nodes they changed
             * whole, so the ones after it are still right for theirs: the
             * replay goes on with the next intact record, after this one's
             * length when its header is intact and that leads to one, else
             * at the next line that is an intact record's header. */
            const char *next = NULL;

            st->log_torn = true; /* the next save writes a snapshot */
            if (body != NULL && blen <= (size_t)(end - body) &&
                (body + blen == end || record_at(body + blen, end)))
                next = body + blen;
            else
                next = resync(p, end);
            if (next == end && cut_short(p, end)) {
                /* The last append, cut short by a crash: never acknowledged. */
                log_info("%s: the last record is cut short (a write a crash interrupted, never "
                         "acknowledged): it is dropped",
                         c->file);
            } else if (body != NULL && next == body + blen) {
                store_diag_add(c->s, c->file, line, NULL,
                               _("a damaged record (its checksum does not match) was skipped: "
                                 "nodes it changed may show an earlier step"));
            } else {
                store_diag_add(c->s, c->file, line, NULL,
                               _("damaged bytes (%d line(s)) were skipped up to the next whole "
                                 "record: nodes the records there changed may show an earlier "
                                 "step"),
                               count_lines(p, next) + (next == end && end[-1] != '\n'));
            }
            p = next;
            prev = 0;
            continue;
        }
        p = body + blen;
        if (prev != 0 && seq != prev + 1) {
            /* The CRC covers the body, not the header: a changed digit of
             * the number would skip this record or every later one as
             * "in the snapshot". Records are appended in order, so the
             * file's order is the truth. */
            store_diag_add(c->s, c->file, line, NULL,
                           _("a record's number is damaged (@%lu after @%lu): it is read as "
                             "@%lu"),
                           seq, prev, prev + 1);
            seq = prev + 1;
            st->log_torn = true;
        }
        prev = seq;
        if (seq <= st->log_seq)
            continue; /* the snapshot has it (it was written, the log not yet removed) */
        char *text = xstrndup(body, blen);
        struct dr_cluster_status rec = {0};
        config_t cfg;
        int before = c->errors;
        size_t diags_before = c->s->n_diags;
        bool ok = cfg_parse_text(c, text, &cfg) && parse_status(c, &cfg, st->cluster, &rec);
        bool has_health = ok && config_setting_get_member(config_root_setting(&cfg), "health");

        config_destroy(&cfg);
        free(text);
        /* The body's lines as the log's: its first is the one after the header. */
        for (size_t i = diags_before; i < c->s->n_diags; i++)
            if (c->s->diags[i].line > 0)
                c->s->diags[i].line += line;
        if (!ok || c->errors != before) {
            /* Whole but not loadable: what it says is lost (the diagnostic
             * names the log); later records still hold their nodes whole,
             * and the next save writes a snapshot. */
            st->log_torn = true;
            cluster_status_done(&rec);
            continue;
        }
        merge_record(st, &rec, has_health, &cap);
        cluster_status_done(&rec);
        st->log_seq = seq;
        st->log_records++;
    }
    free(data);
}

enum dr_err
store_log_nodes(struct dr_store *s, const char *cluster, const struct dr_node *nodes, size_t n,
                const struct dr_health *health, struct dr_error *e)
{
    struct dr_cluster_status *st = find_status(s, cluster);
    struct dr_cluster_status rec = {0};
    char *rel, *path, *body, *rec_text;
    enum dr_err rc = DR_E_OK;
    size_t len;
    int fd;

    if (s->settings.read_only)
        return dr_error_set(e, DR_E_READONLY, _("%s: not saved: drover is in read-only mode"),
                            cluster);
    if (st == NULL || st->log_torn)
        return dr_error_set(e, DR_E_INVAL,
                            _("clusters/%s.state.log: not saved: a snapshot is due first"),
                            cluster);
    rec.cluster = (char *)cluster;
    rec.nodes = (struct dr_node *)nodes;
    rec.n_nodes = n;
    if (health)
        rec.health = *health;
    config_t cfg;
    config_init(&cfg);
    status_to_cfg(&cfg, &rec, 0);
    body = cfg_to_text(&cfg, NULL);
    config_destroy(&cfg);
    len = strlen(body);
    rec_text = xasprintf("@%lu %zu %lx\n%s", st->log_seq + 1, len,
                         crc32(0L, (const Bytef *)body, (uInt)len), body);
    free(body);

    rel = log_rel(cluster);
    path = store_state_path(s, rel);
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = dr_error_set(e, DR_E_IO, _("%s: cannot open: %s"), rel, strerror(errno));
    } else {
        size_t total = strlen(rec_text), off = 0;

        while (off < total && rc == DR_E_OK) {
            ssize_t w = write(fd, rec_text + off, total - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                rc = dr_error_set(e, DR_E_IO, _("%s: cannot write: %s"), rel, strerror(errno));
            else
                off += (size_t)w;
        }
        if (rc == DR_E_OK && fsync(fd) != 0)
            rc = dr_error_set(e, DR_E_IO, _("%s: cannot write: %s"), rel, strerror(errno));
        /* Closed per record: an observer's inotify sees IN_CLOSE_WRITE. */
        if (close(fd) != 0 && rc == DR_E_OK)
            rc = dr_error_set(e, DR_E_IO, _("%s: cannot write: %s"), rel, strerror(errno));
        if (rc == DR_E_OK && st->log_records == 0)
            fsync_dir_of(path); /* the log's name, new since the snapshot */
    }
    if (rc != DR_E_OK) {
        /* A record may be half there: the next save writes a snapshot. */
        st->log_torn = true;
    } else {
        size_t cap = st->n_nodes;
        st->log_seq++;
        st->log_records++;
        for (size_t i = 0; i < n; i++) {
            struct dr_node copy;
            node_copy(&copy, &nodes[i]);
            merge_node(st, &copy, &cap);
        }
        if (health) {
            free(st->health.error);
            st->health = *health;
            st->health.error = xstrdup0(health->error);
        }
    }
    free(rec_text);
    free(path);
    free(rel);
    return rc;
}
