/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofswitch-ctl top — a live view of a running switch, as ovs-appctl
 * dpif-netdev/pmd-perf-show but refreshing:
 *
 *   ofswitch-ctl [-t SOCKET] top [--interval SECONDS] [--once]
 *
 * Every interval (default 1 s) it asks the switch for its raw counters
 * ("--json counters": one answer, read at one instant, stamped with the
 * switch's clock) and shows the rates between the last two samples: per
 * worker busy %, Mpps, cycles per packet, flow-cache hits by level (EMC,
 * signature, megaflow) and misses; per port Mpps and Mbit/s in and out and
 * drops; packet-ins; drops by reason. On a terminal it draws over the
 * screen (the alternate screen, cursor hidden) and q or Ctrl-C ends it with
 * the terminal as it was; elsewhere it prints one view after another.
 * --once prints one view (rates over one interval) without escapes and
 * exits: for scripts.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ctl_client.h"
#include "ctl_json.h"

static volatile sig_atomic_t quit_signal, resized;

static void
on_quit(int sig)
{
    quit_signal = sig;
}

static void
on_winch(int sig)
{
    (void)sig;
    resized = 1;
}

static uint64_t
mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- samples ---------------------------------------------------------------------------- */

struct sample {
    struct cj j;     /* The switch's "--json counters" answer. */
    uint64_t now_ns; /* Its clock when it read them. */
};

/* 0, or ofswitch-ctl's exit status with the reason in err. */
static int
fetch(const char *path, struct sample *s, char *err, size_t errlen)
{
    char *body;
    int rc = ctl_call_buf(path, "--json counters", &body, err, errlen);
    if (rc)
        return rc;
    rc = cj_parse(body, &s->j, err, errlen) ? 2 : 0;
    free(body);
    if (!rc)
        s->now_ns = cj_u64(cj_get(&s->j, "now_ns"));
    return rc;
}

/* b[key] - a[key]; 0 when the counter went back (pmd-stats-clear). */
static uint64_t
delta(const struct cj *b, const struct cj *a, const char *key)
{
    uint64_t x = cj_u64(cj_get(b, key)), y = cj_u64(cj_get(a, key));
    return x >= y ? x - y : 0;
}

/* The row of a's table whose id field equals row r's (a number or a name). */
static const struct cj *
same_row(const struct sample *a, const char *table, const char *id, const struct cj *r)
{
    const struct cj *t = cj_get(&a->j, table), *want = cj_get(r, id);
    for (size_t i = 0; t && want && t->type == CJ_ARR && i < t->n; i++) {
        const struct cj *have = cj_get(&t->items[i], id);
        if (have && have->type == want->type &&
            (want->type == CJ_STR ? !strcmp(have->str, want->str) : have->u64 == want->u64))
            return &t->items[i];
    }
    return NULL;
}

static double
pct(uint64_t part, uint64_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* Millions per second: three decimals, more when it is small but not 0. */
static const char *
mega(char *buf, size_t size, double per_s)
{
    double m = per_s / 1e6;
    snprintf(buf, size, m == 0 || m >= 0.001 ? "%.3f" : "%.6f", m);
    return buf;
}

/* Per second: whole numbers, a decimal under 10. */
static const char *
rate(char *buf, size_t size, double per_s)
{
    snprintf(buf, size, per_s >= 10 || per_s == 0 ? "%.0f" : "%.1f", per_s);
    return buf;
}

/* ---- the view ----------------------------------------------------------------------------- */

static size_t
rows_of(const struct sample *s, const char *table, const struct cj **rows)
{
    const struct cj *t = cj_get(&s->j, table);
    *rows = t && t->type == CJ_ARR ? t->items : NULL;
    return *rows ? t->n : 0;
}

static void
render_workers(FILE *f, const struct sample *a, const struct sample *b, double dt)
{
    const struct cj *rows;
    size_t n = rows_of(b, "workers", &rows);
    fprintf(f, "WORKERS\n%6s %5s %6s %10s %10s %6s %6s %9s %6s %10s %8s %5s\n", "worker", "lcore",
            "busy%", "Mpps", "cycles/pkt", "emc%", "sig%", "megaflow%", "miss%", "misses/s",
            "entries", "masks");
    for (size_t i = 0; i < n; i++) {
        const struct cj *rb = &rows[i], *ra = same_row(a, "workers", "worker", rb);
        if (!ra)
            continue;
        uint64_t pk = delta(rb, ra, "packets"), busy = delta(rb, ra, "busy_cycles");
        uint64_t idle = delta(rb, ra, "idle_cycles"), emc = delta(rb, ra, "emc_hits");
        uint64_t sig = delta(rb, ra, "sig_hits"), mf = delta(rb, ra, "megaflow_hits");
        uint64_t miss = delta(rb, ra, "misses"), lookups = emc + sig + mf + miss;
        char m[32], r[32];
        fprintf(f, "%6llu %5llu %6.1f %10s %10.0f %6.1f %6.1f %9.1f %6.1f %10s %8llu %5llu\n",
                (unsigned long long)cj_u64(cj_get(rb, "worker")),
                (unsigned long long)cj_u64(cj_get(rb, "lcore")), pct(busy, busy + idle),
                mega(m, sizeof m, (double)pk / dt), pk ? (double)busy / (double)pk : 0.0,
                pct(emc, lookups), pct(sig, lookups), pct(mf, lookups), pct(miss, lookups),
                rate(r, sizeof r, (double)miss / dt),
                (unsigned long long)cj_u64(cj_get(rb, "entries")),
                (unsigned long long)cj_u64(cj_get(rb, "masks")));
    }
    if (!n)
        fprintf(f, "  (no workers)\n");
}

static void
render_ports(FILE *f, const struct sample *a, const struct sample *b, double dt)
{
    const struct cj *rows;
    size_t n = rows_of(b, "ports", &rows);
    fprintf(f, "PORTS\n%10s  %-16s %10s %10s %10s %10s %10s %10s\n", "port", "name", "rx_Mpps",
            "tx_Mpps", "rx_Mbps", "tx_Mbps", "rx_drop/s", "tx_drop/s");
    for (size_t i = 0; i < n; i++) {
        const struct cj *rb = &rows[i], *ra = same_row(a, "ports", "port", rb);
        char c[4][32], d[2][32];
        if (!ra) { /* Added since the last sample. */
            fprintf(f, "%10llu  %-16s %10s\n", (unsigned long long)cj_u64(cj_get(rb, "port")),
                    cj_str(cj_get(rb, "name")), "(new)");
            continue;
        }
        fprintf(f, "%10llu  %-16s %10s %10s %10s %10s %10s %10s\n",
                (unsigned long long)cj_u64(cj_get(rb, "port")), cj_str(cj_get(rb, "name")),
                mega(c[0], 32, (double)delta(rb, ra, "rx_packets") / dt),
                mega(c[1], 32, (double)delta(rb, ra, "tx_packets") / dt),
                mega(c[2], 32, 8.0 * (double)delta(rb, ra, "rx_bytes") / dt),
                mega(c[3], 32, 8.0 * (double)delta(rb, ra, "tx_bytes") / dt),
                rate(d[0], 32, (double)delta(rb, ra, "rx_dropped") / dt),
                rate(d[1], 32, (double)delta(rb, ra, "tx_dropped") / dt));
    }
    if (!n)
        fprintf(f, "  (no ports)\n");
}

static void
render(FILE *f, const struct sample *a, const struct sample *b, double interval, bool live)
{
    double dt = b->now_ns > a->now_ns ? (double)(b->now_ns - a->now_ns) / 1e9 : interval;
    const struct cj *rows;
    fprintf(f, "ofswitch %s  rates over %.2f s%s\n\n", cj_str(cj_get(&b->j, "datapath_id")), dt,
            live ? "  (q or Ctrl-C quits)" : "");
    render_workers(f, a, b, dt);
    fprintf(f, "\n");
    render_ports(f, a, b, dt);

    char q[32], s[32], d[32];
    fprintf(f, "\nPACKET-INS\n%10s %10s %10s\n%10s %10s %10s\n", "queued/s", "sent/s", "dropped/s",
            rate(q, 32, (double)delta(&b->j, &a->j, "packet_ins_queued") / dt),
            rate(s, 32, (double)delta(&b->j, &a->j, "packet_ins_sent") / dt),
            rate(d, 32, (double)delta(&b->j, &a->j, "packet_ins_dropped") / dt));

    size_t n = rows_of(b, "drops", &rows);
    fprintf(f, "\nDROPS\n  %-20s %10s %14s\n", "reason", "packets/s", "total");
    for (size_t i = 0; i < n; i++) {
        const struct cj *rb = &rows[i], *ra = same_row(a, "drops", "reason", rb);
        uint64_t now = cj_u64(cj_get(rb, "packets"));
        uint64_t before = ra ? cj_u64(cj_get(ra, "packets")) : 0;
        fprintf(f, "  %-20s %10s %14llu\n", cj_str(cj_get(rb, "reason")),
                rate(d, 32, (double)(now >= before ? now - before : 0) / dt),
                (unsigned long long)now);
    }
    if (!n)
        fprintf(f, "  (none)\n");
}

/* ---- the terminal ------------------------------------------------------------------------- */

static struct termios saved_tio;
static bool keys_raw;

/* Keys without Enter or echo (Ctrl-C still signals), the alternate
 * screen, no cursor. */
static void
term_enter(void)
{
    if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_tio) == 0) {
        struct termios t = saved_tio;
        t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
        t.c_cc[VMIN] = 0;
        t.c_cc[VTIME] = 0;
        keys_raw = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
    }
    fputs("\033[?1049h\033[?25l", stdout);
    fflush(stdout);
}

static void
term_leave(void)
{
    fputs("\033[?25h\033[?1049l", stdout);
    fflush(stdout);
    if (keys_raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
    keys_raw = false;
}

/* A view: over the screen from its top-left corner, each line cut to the
 * width and cleared to its end, as many as fit; or printed as it is. */
static void
draw(const char *text, bool tty)
{
    if (!tty) {
        fputs(text, stdout);
        fflush(stdout);
        return;
    }
    struct winsize ws = {0};
    size_t cols = 80, lines = 24;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row)
        cols = ws.ws_col, lines = ws.ws_row;
    fputs("\033[H", stdout);
    for (size_t row = 0; *text && row + 1 < lines; row++) {
        size_t len = strcspn(text, "\n");
        fwrite(text, 1, len < cols ? len : cols, stdout);
        fputs("\033[K\n", stdout);
        text += len + (text[len] == '\n');
    }
    fputs("\033[J", stdout);
    fflush(stdout);
}

/* Until deadline (mono_ns): 1 when told to quit (a signal, or q on
 * stdin), else 0 (at the deadline, or early after a resize). */
static int
wait_until(uint64_t deadline, bool *keys)
{
    for (;;) {
        if (quit_signal)
            return 1;
        if (resized)
            return 0;
        uint64_t now = mono_ns();
        if (now >= deadline)
            return 0;
        struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
        int ms = (int)((deadline - now + 999999) / 1000000);
        if (poll(&pfd, *keys ? 1 : 0, ms) > 0) {
            char c;
            ssize_t n = read(STDIN_FILENO, &c, 1);
            if (n == 1 && (c == 'q' || c == 'Q'))
                return 1;
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
                *keys = false; /* stdin ended: Ctrl-C only. */
        }
    }
}

/* ---- the command -------------------------------------------------------------------------- */

__attribute__((format(printf, 1, 2))) static int
usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "ofswitch-ctl: top: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    return 2;
}

static void
install(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL); /* No SA_RESTART: poll() returns to look at the flags. */
}

int
ctl_top(const char *path, int argc, char **argv)
{
    double interval = 1.0;
    bool once = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (!strcmp(a, "--once")) {
            once = true;
            continue;
        }
        if (!strcmp(a, "--interval")) {
            if (i + 1 == argc)
                return usage_error("%s needs a value (seconds)", a);
            v = argv[++i];
        } else if (!strncmp(a, "--interval=", 11)) {
            v = a + 11;
        } else {
            return usage_error("unknown argument '%s' (--interval SECONDS, --once)", a);
        }
        char *end;
        errno = 0;
        interval = strtod(v, &end);
        if (errno || end == v || *end || !isfinite(interval) || interval < 0.1 || interval > 3600)
            return usage_error("bad --interval '%s' (seconds, 0.1 to 3600)", v);
    }

    signal(SIGPIPE, SIG_IGN);
    install(SIGINT, on_quit);
    install(SIGTERM, on_quit);
    install(SIGHUP, on_quit);
    install(SIGWINCH, on_winch);
    uint64_t step = (uint64_t)(interval * 1e9);
    char err[512];
    struct sample a, b;
    int rc = fetch(path, &a, err, sizeof err);
    if (rc) {
        fprintf(stderr, "ofswitch-ctl: %s\n", err);
        return rc;
    }
    bool keys = !once, tty = !once && isatty(STDOUT_FILENO), first = true;
    if (tty)
        term_enter();
    char *view = NULL;
    size_t view_len = 0;
    uint64_t deadline = mono_ns() + step;
    if (tty)
        draw("ofswitch-ctl top: the first rates come after one interval (q or Ctrl-C quits)", tty);
    while (!rc) {
        if (wait_until(deadline, &keys)) {
            rc = once ? 128 + (quit_signal ? quit_signal : SIGINT) : 0;
            break;
        }
        if (resized) {
            resized = 0;
            if (view && tty)
                draw(view, tty);
            continue;
        }
        rc = fetch(path, &b, err, sizeof err);
        if (rc)
            break;
        free(view);
        view = NULL;
        FILE *f = open_memstream(&view, &view_len);
        if (!f) {
            snprintf(err, sizeof err, "out of memory");
            rc = 2;
            cj_free(&b.j);
            break;
        }
        render(f, &a, &b, interval, tty);
        fclose(f);
        cj_free(&a.j);
        a = b;
        if (!tty && !once && !first)
            fputs("\n", stdout); /* Views one after another: a blank line between. */
        first = false;
        draw(view, tty);
        if (once)
            break;
        uint64_t now = mono_ns();
        deadline = deadline + step > now ? deadline + step : now + step;
    }
    if (tty)
        term_leave();
    if (rc && rc < 128)
        fprintf(stderr, "ofswitch-ctl: %s\n", err);
    cj_free(&a.j);
    free(view);
    return rc;
}
