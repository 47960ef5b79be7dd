/* SPDX-License-Identifier: Apache-2.0 */
/* The configuration file and the running configuration (ofswitch_conf.h). */
#define _XOPEN_SOURCE 700 /* realpath, mkstemp, fchown. */
#include "ofswitch_conf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILE (1u << 20)
#define BLANKS   " \t\r\f\v"

struct conf_port {
    uint32_t port_no;
    char *devargs; /* Owned. */
};

struct ofs_conf {
    char *path; /* Resolved --config FILE; NULL without one. */
    char *text; /* The file as read, cut into lines: the options point here. */
    char **eal; /* The file's EAL words (into text). */
    int n_eal;
    /* Once running (ofs_conf_start). */
    const struct ofs_opts *opts;
    char **run_eal; /* The EAL words in effect (into argv or text); owned array. */
    int n_run_eal;
    uint64_t datapath_id;
    struct conf_port ports[OFS_MAX_PORTS];
    size_t n_ports;
};

/* ---- a growable string ------------------------------------------------------------------ */

struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
};

static void
sb_put(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

__attribute__((format(printf, 2, 3))) static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
    char line[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line) {
        b->oom = true; /* Values are bounded far below; treat as failure. */
        return;
    }
    sb_put(b, line, (size_t)n);
}

/* The buffer, or NULL (freed) on failure. */
static char *
sb_take(struct sbuf *b)
{
    if (b->oom || !b->p) {
        free(b->p);
        return b->oom ? NULL : strdup("");
    }
    return b->p;
}

/* ---- reading ------------------------------------------------------------------------------ */

/* The whole file, NUL-terminated. NULL with err. */
static char *
read_file(const char *path, size_t *len_out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        ofs_fail(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    struct sbuf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= MAX_FILE)
        sb_put(&b, chunk, n);
    bool bad = ferror(f);
    int saved_errno = errno;
    fclose(f);
    if (bad) {
        free(b.p);
        ofs_fail(err, errlen, "cannot read %s: %s", path, strerror(saved_errno));
        return NULL;
    }
    if (b.len > MAX_FILE) {
        free(b.p);
        ofs_fail(err, errlen, "%s: larger than %u bytes", path, MAX_FILE);
        return NULL;
    }
    char *text = sb_take(&b);
    if (!text) {
        ofs_fail(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    if (strlen(text) != b.len) {
        free(text);
        ofs_fail(err, errlen, "%s: contains a NUL byte (not a text file)", path);
        return NULL;
    }
    *len_out = b.len;
    return text;
}

static char *
trim(char *s)
{
    s += strspn(s, BLANKS);
    size_t n = strlen(s);
    while (n && strchr(BLANKS, s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* "port NUM" keys: NUM, else NULL. */
static char *
port_key(char *key)
{
    if (strncmp(key, "port", 4) || !key[4] || !strchr(BLANKS, key[4]))
        return NULL;
    return trim(key + 4);
}

static int
add_eal_words(struct ofs_conf *c, char *value)
{
    char *save = NULL;
    for (char *w = strtok_r(value, BLANKS, &save); w; w = strtok_r(NULL, BLANKS, &save)) {
        char **eal = realloc(c->eal, (size_t)(c->n_eal + 1) * sizeof *eal);
        if (!eal)
            return -ENOMEM;
        c->eal = eal;
        c->eal[c->n_eal++] = w;
    }
    return 0;
}

/* The keys that take one value, and the line that gave each. */
static const char *const single_keys[] = {
    "datapath-id", "fail-mode",     "private-key",    "certificate",   "ca-cert",    "rxq",
    "mbufs",       "cache-entries", "packet-in-rate", "stall-timeout", "ctl-socket", "cache-stages",
};
#define N_SINGLE (sizeof single_keys / sizeof single_keys[0])

/* One line (trimmed, not blank, not a comment). 0 or -EINVAL with the
 * reason (without FILE:LINE) in err. */
static int
load_line(struct ofs_conf *c, struct ofs_opts *o, char *line, unsigned lineno,
          unsigned seen[N_SINGLE], char *err, size_t errlen)
{
    char *eq = strchr(line, '=');
    if (!eq)
        return ofs_fail(err, errlen, "expected KEY = VALUE, got '%.64s'", line);
    *eq = '\0';
    char *key = trim(line), *value = trim(eq + 1);
    if (!*key)
        return ofs_fail(err, errlen, "no key before '='");
    if (!*value)
        return ofs_fail(err, errlen, "'%s' has no value", key);
    if (!strcmp(key, "eal"))
        return add_eal_words(c, value) ? ofs_fail(err, errlen, "out of memory") : 0;
    char *num = port_key(key);
    if (num) {
        if (strpbrk(num, BLANKS))
            return ofs_fail(err, errlen, "expected 'port NUM = DEVARGS', got key '%s'", key);
        return ofs_opts_set_port(o, OFS_FROM_FILE, num, value, err, errlen);
    }
    if (!strcmp(key, "port"))
        return ofs_fail(err, errlen, "expected 'port NUM = DEVARGS', got key 'port'");
    for (size_t k = 0; k < N_SINGLE; k++) {
        if (strcmp(key, single_keys[k]))
            continue;
        if (seen[k])
            return ofs_fail(err, errlen, "'%s' given twice (first on line %u)", key, seen[k]);
        seen[k] = lineno;
    }
    return ofs_opts_set(o, OFS_FROM_FILE, key, value, err, errlen);
}

struct ofs_conf *
ofs_conf_new(void)
{
    return calloc(1, sizeof(struct ofs_conf));
}

struct ofs_conf *
ofs_conf_load(const char *path, struct ofs_opts *o, char *err, size_t errlen)
{
    struct ofs_conf *c = ofs_conf_new();
    if (!c) {
        ofs_fail(err, errlen, "out of memory");
        return NULL;
    }
    size_t len;
    c->text = read_file(path, &len, err, errlen);
    if (!c->text)
        goto bad;
    /* Write-backs go to the file itself, not over a symbolic link to it. */
    c->path = realpath(path, NULL);
    if (!c->path) {
        ofs_fail(err, errlen, "cannot read %s: %s", path, strerror(errno));
        goto bad;
    }
    unsigned seen[N_SINGLE] = {0};
    unsigned lineno = 0;
    char *next = c->text;
    while (next) {
        char *line = next;
        char *nl = strchr(line, '\n');
        next = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        lineno++;
        line = trim(line);
        if (!*line || *line == '#')
            continue;
        char why[400];
        if (load_line(c, o, line, lineno, seen, why, sizeof why)) {
            ofs_fail(err, errlen, "%s:%u: %s", path, lineno, why);
            goto bad;
        }
    }
    return c;
bad:
    ofs_conf_free(c);
    return NULL;
}

char **
ofs_conf_eal(const struct ofs_conf *c, int *n)
{
    *n = c->n_eal;
    return c->eal;
}

const char *
ofs_conf_path(const struct ofs_conf *c)
{
    return c->path;
}

int
ofs_conf_start(struct ofs_conf *c, const struct ofs_opts *o, int n_eal, char **eal,
               uint64_t datapath_id)
{
    c->opts = o;
    c->datapath_id = datapath_id;
    free(c->run_eal);
    c->run_eal = NULL;
    c->n_run_eal = 0;
    if (n_eal) {
        c->run_eal = malloc((size_t)n_eal * sizeof *c->run_eal);
        if (!c->run_eal)
            return -ENOMEM;
        memcpy(c->run_eal, eal, (size_t)n_eal * sizeof *eal);
        c->n_run_eal = n_eal;
    }
    for (size_t i = 0; i < o->n_ports; i++) {
        char *d = strdup(o->ports[i].devargs);
        if (!d)
            return -ENOMEM;
        c->ports[c->n_ports++] = (struct conf_port){o->ports[i].port_no, d};
    }
    return 0;
}

void
ofs_conf_free(struct ofs_conf *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_ports; i++)
        free(c->ports[i].devargs);
    free(c->run_eal);
    free(c->eal);
    free(c->text);
    free(c->path);
    free(c);
}

/* ---- writing ------------------------------------------------------------------------------ */

char *
ofs_conf_edit_port(const char *text, uint32_t port_no, const char *devargs)
{
    struct sbuf b = {0};
    char name[16], newline[8192];
    ofs_port_name(port_no, name, sizeof name);
    int nl_len = devargs ? snprintf(newline, sizeof newline, "port %s = %s\n", name, devargs) : 0;
    if (nl_len < 0 || (size_t)nl_len >= sizeof newline)
        return NULL;
    bool written = !devargs;
    size_t insert_at = SIZE_MAX; /* In the output: after the last port line. */
    const char *p = text;
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) + 1 : strlen(p);
        /* Is this a port line, and of which port? */
        char copy[8192];
        bool is_port = false;
        uint32_t num = 0;
        if (n < sizeof copy) {
            memcpy(copy, p, n);
            copy[n] = '\0';
            char *line = trim(copy), *eq = strchr(line, '=');
            if (*line != '#' && eq) {
                *eq = '\0';
                char *key = trim(line), *pn = port_key(key);
                if (pn) {
                    is_port = true;
                    if (!ofs_port_parse(pn, &num))
                        num = 0;
                }
            }
        }
        if (is_port && num == port_no) {
            if (!written) {
                sb_put(&b, newline, (size_t)nl_len);
                written = true;
            }
        } else {
            sb_put(&b, p, n);
            if (!end)
                sb_put(&b, "\n", 1); /* The last line ends with one now. */
        }
        if (is_port)
            insert_at = b.len;
        p += n;
    }
    if (!written) {
        if (insert_at == SIZE_MAX) {
            sb_put(&b, newline, (size_t)nl_len);
        } else if (!b.oom) {
            size_t tail = b.len - insert_at;
            sb_put(&b, newline, (size_t)nl_len); /* Room, then move into place. */
            if (!b.oom) {
                memmove(b.p + insert_at + nl_len, b.p + insert_at, tail);
                memcpy(b.p + insert_at, newline, (size_t)nl_len);
            }
        }
    }
    return sb_take(&b);
}

/* A value the file can hold: not empty, no line break, no blank at
 * either end (the reader trims them). */
static bool
writable(const char *v)
{
    size_t n = strlen(v);
    return n && !strpbrk(v, "\n\r") && !strchr(BLANKS, v[0]) && !strchr(BLANKS, v[n - 1]);
}

char *
ofs_conf_format(const struct ofs_conf *c, char *err, size_t errlen)
{
    const struct ofs_opts *o = c->opts;
    if (!o) {
        ofs_fail(err, errlen, "the switch is not running yet");
        return NULL;
    }
    struct sbuf b = {0};
    sb_printf(&b, "# ofswitch configuration (ofswitch.conf(5)), written by ofswitch-ctl save.\n");
    if (c->n_run_eal) {
        sb_printf(&b, "eal =");
        for (int i = 0; i < c->n_run_eal; i++) {
            const char *w = c->run_eal[i];
            if (!*w || strpbrk(w, BLANKS "\n")) {
                free(b.p);
                ofs_fail(err, errlen, "EAL argument '%s' cannot be written: it has a blank", w);
                return NULL;
            }
            sb_printf(&b, " %s", w);
        }
        sb_printf(&b, "\n");
    }
    sb_printf(&b, "datapath-id = %016" PRIx64 "\n", c->datapath_id);
    sb_printf(&b, "fail-mode = %s\n",
              o->fail_mode == OFS_FAIL_STANDALONE ? "standalone" : "secure");
    const char *strings[][2] = {
        {"private-key", o->private_key},
        {"certificate", o->certificate},
        {"ca-cert", o->ca_cert},
        {"ctl-socket", o->ctl_socket},
    };
    for (size_t i = 0; i < o->n_controllers; i++) {
        if (!writable(o->controllers[i].target))
            goto unwritable;
        sb_printf(&b, "controller = %s\n", o->controllers[i].target);
    }
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        if (!strings[i][1])
            continue;
        if (!writable(strings[i][1]))
            goto unwritable;
        sb_printf(&b, "%s = %s\n", strings[i][0], strings[i][1]);
    }
    if (o->rxq)
        sb_printf(&b, "rxq = %u\n", o->rxq);
    if (o->n_mbufs)
        sb_printf(&b, "mbufs = %u\n", o->n_mbufs);
    if (o->cache_entries)
        sb_printf(&b, "cache-entries = %u\n", o->cache_entries);
    if (o->cache_stages_fixed) {
        char st[64];
        ft_stages_format(st, sizeof st, &o->cache_stages);
        sb_printf(&b, "cache-stages = %s\n", st);
    }
    if (o->has_packet_in_rate)
        sb_printf(&b, "packet-in-rate = %" PRIu32 "/%" PRIu32 "\n", o->packet_in_rate,
                  o->packet_in_burst);
    if (o->has_stall_timeout)
        sb_printf(&b, "stall-timeout = %" PRIu32 "\n", o->stall_timeout_s);
    for (size_t i = 0; i < c->n_ports; i++) {
        char name[16];
        if (!writable(c->ports[i].devargs))
            goto unwritable;
        sb_printf(&b, "port %s = %s\n", ofs_port_name(c->ports[i].port_no, name, sizeof name),
                  c->ports[i].devargs);
    }
    char *text = sb_take(&b);
    if (!text)
        ofs_fail(err, errlen, "out of memory");
    return text;
unwritable:
    free(b.p);
    ofs_fail(err, errlen, "a value with a line break or blanks at its ends cannot be written");
    return NULL;
}

static int
write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

int
ofs_conf_write_file(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
    char dir[PATH_MAX], tmp[PATH_MAX + 16];
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!*base) {
        ofs_fail(err, errlen, "cannot write %s: not a file name", path);
        return -EINVAL;
    }
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, base) >= (int)sizeof tmp) {
        ofs_fail(err, errlen, "cannot write %s: path too long", path);
        return -ENAMETOOLONG;
    }
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) {
        ofs_fail(err, errlen, "cannot write %s: not a regular file", path);
        return -EINVAL;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        ofs_fail(err, errlen, "cannot write %s: %s", path, strerror(e));
        return -e;
    }
    int r = write_all(fd, data, len);
    if (!r && fchmod(fd, exists ? st.st_mode & 07777 : 0644) < 0)
        r = -errno;
    if (!r && exists && (st.st_uid != geteuid() || st.st_gid != getegid()))
        (void)!fchown(fd, st.st_uid, st.st_gid); /* Best effort: keep the owner. */
    if (!r && fsync(fd) < 0)
        r = -errno;
    if (close(fd) < 0 && !r)
        r = -errno;
    if (!r && rename(tmp, path) < 0)
        r = -errno;
    if (r) {
        unlink(tmp);
        ofs_fail(err, errlen, "cannot write %s: %s", path, strerror(-r));
        return r;
    }
    /* The rename is durable once the directory is. */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    return 0;
}

/* Rewrite port_no's line of the file (devargs NULL: remove it). */
static int
write_back_port(struct ofs_conf *c, uint32_t port_no, const char *devargs, char *err, size_t errlen)
{
    size_t len;
    char *text = read_file(c->path, &len, err, errlen);
    if (!text)
        return -EIO;
    char *edited = ofs_conf_edit_port(text, port_no, devargs);
    free(text);
    if (!edited) {
        ofs_fail(err, errlen, "%s: out of memory", c->path);
        return -ENOMEM;
    }
    int r = ofs_conf_write_file(c->path, edited, strlen(edited), err, errlen);
    free(edited);
    return r;
}

int
ofs_conf_port_added(struct ofs_conf *c, uint32_t port_no, const char *devargs, char *err,
                    size_t errlen)
{
    size_t slot = c->n_ports;
    for (size_t i = 0; i < c->n_ports; i++)
        if (c->ports[i].port_no == port_no)
            slot = i;
    if (slot == OFS_MAX_PORTS) {
        ofs_fail(err, errlen, "the configuration holds at most %d ports", OFS_MAX_PORTS);
        return -ENOSPC;
    }
    char *d = strdup(devargs);
    if (!d) {
        ofs_fail(err, errlen, "out of memory");
        return -ENOMEM;
    }
    if (c->path) {
        int r = write_back_port(c, port_no, devargs, err, errlen);
        if (r) {
            free(d);
            return r;
        }
    }
    if (slot == c->n_ports)
        c->n_ports++;
    else
        free(c->ports[slot].devargs);
    c->ports[slot] = (struct conf_port){port_no, d};
    return 0;
}

int
ofs_conf_port_deleted(struct ofs_conf *c, uint32_t port_no, char *err, size_t errlen)
{
    for (size_t i = 0; i < c->n_ports; i++) {
        if (c->ports[i].port_no != port_no)
            continue;
        free(c->ports[i].devargs);
        memmove(&c->ports[i], &c->ports[i + 1], (c->n_ports - i - 1) * sizeof c->ports[0]);
        c->n_ports--;
        break;
    }
    return c->path ? write_back_port(c, port_no, NULL, err, errlen) : 0;
}

int
ofs_conf_save(struct ofs_conf *c, const char *path, char *saved, size_t savedlen, char *err,
              size_t errlen)
{
    if (!path)
        path = c->path;
    if (!path) {
        ofs_fail(err, errlen, "ofswitch runs without --config: give a file (save FILE)");
        return -ENOENT;
    }
    char *text = ofs_conf_format(c, err, errlen);
    if (!text)
        return -EINVAL;
    int r = ofs_conf_write_file(path, text, strlen(text), err, errlen);
    free(text);
    if (!r && saved && savedlen)
        snprintf(saved, savedlen, "%s", path);
    return r;
}
