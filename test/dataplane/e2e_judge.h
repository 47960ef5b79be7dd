/* SPDX-License-Identifier: Apache-2.0 */
/*
 * e2e_judge.h — judging one frame of the differential end-to-end test
 * (test_e2e_diff.c) against the walk's predictions for the versions it may
 * have been forwarded under, naming the kind of a mismatch (stale version,
 * another flow's program, no program, dropped) with the switch's state
 * printed beside it, and closing frames whose window ended. Included once,
 * after the run's state (T) and the predictions it reads.
 */
#ifndef E2E_JUDGE_H
#define E2E_JUDGE_H

/* ---- judging a frame ------------------------------------------------------------- */

static void
cookie_room(uint64_t c)
{
    size_t cap = T.cap_cookie, need = (size_t)c + 1;
    T.cmin = grow(T.cmin, &cap, need, sizeof *T.cmin);
    cap = T.cap_cookie;
    T.cmax = grow(T.cmax, &cap, need, sizeof *T.cmax);
    cap = T.cap_cookie;
    T.cstate = grow(T.cstate, &cap, need, sizeof *T.cstate);
    T.cap_cookie = cap;
}

static void
note_rule(void *aux, uint64_t cookie)
{
    (void)aux;
    cookie_room(cookie);
    T.cstate[cookie] = 1;
}

static void
print_dp_counters(void *aux, const char *name, uint64_t n)
{
    (void)aux;
    if (n)
        fprintf(stderr, "    %s %llu\n", name, (unsigned long long)n);
}

static int
print_group(void *aux, const struct ft_group *g)
{
    static const char *const types[] = {"all", "select", "indirect", "ff"};
    (void)aux;
    fprintf(stderr, "    group %u (%s):", ft_group_id(g), types[ft_group_type(g) & 3]);
    for (uint32_t i = 0; i < ft_group_n_buckets(g); i++) {
        const struct ft_bucket *b = ft_group_bucket(g, i);
        char buf[512];
        ft_actions_format(buf, sizeof buf, b->actions, b->n_actions);
        fprintf(stderr, " [%s", buf);
        if (b->weight)
            fprintf(stderr, " weight %u", b->weight);
        if (b->watch_port != FT_PORT_ANY)
            fprintf(stderr, " watch_port %u", b->watch_port);
        if (b->watch_group != FT_GROUP_ANY)
            fprintf(stderr, " watch_group %u", b->watch_group);
        fprintf(stderr, "]");
    }
    fprintf(stderr, "\n");
    return 0;
}

static void
print_state(void)
{
    fprintf(stderr, "  groups now (version %llu; port 3 %s):\n",
            (unsigned long long)ft_pipeline_version(T.p), T.port3_down ? "down" : "up");
    ft_pipeline_groups_foreach(T.p, FT_GROUP_ALL, print_group, NULL);
    fprintf(stderr, "  dataplane counters (drops, then notes):\n");
    dp_drop_counters(T.dp, print_dp_counters, NULL);
    dp_note_counters(T.dp, print_dp_counters, NULL);
    struct dp_worker_stats ws[4];
    size_t n = dp_worker_stats(T.dp, ws, 4);
    for (size_t i = 0; i < n && i < 4; i++)
        fprintf(stderr, "  worker %zu: packets %llu emc %llu cache %llu misses %llu\n", i,
                (unsigned long long)ws[i].packets, (unsigned long long)ws[i].emc_hits,
                (unsigned long long)ws[i].cache_hits, (unsigned long long)ws[i].misses);
}

/* What the copies of frame id fit, other than its candidates: this flow's
 * program at other versions first, then other flows' (newest first). */
static int
where_from(uint32_t id, bool print)
{
    const struct frec *r = &T.fr[id - 1];
    const struct flow *fl = &T.flows[r->flow];
    uint8_t in[EI_MAX_FRAME];
    uint16_t len = frame_bytes(id, in);
    char buf[4096];
    int cl = r->n_em ? CL_NONE : CL_DROPPED;
    if (!r->n_em && print)
        fprintf(stderr, "  nothing was emitted (dropped): any drop program fits\n");
    unsigned found = 0;
    for (int pass = 0; pass < 2 && found < 4; pass++)
        for (size_t k = T.n_vr; k-- > 0 && found < 4;) {
            const struct vrec *vr = &T.vr[k];
            for (uint32_t f = 0; f < N_FLOWS && found < 4; f++) {
                const struct prog *pg = vr->prog[f];
                unsigned n_alts;
                char why[128];
                if (!pg || (pass == 0) != (f == r->flow) ||
                    (f == r->flow && vr->v >= r->lo && vr->v <= r->hi) ||
                    !ei_predict(pg->ops, pg->n_ops, in, len, fl->in_port, vr->down, T.alts, &n_alts,
                                why, sizeof why))
                    continue;
                for (unsigned a = 0; a < n_alts; a++)
                    if (ei_outcome_same(&T.alts[a], r->em, r->n_em)) {
                        if (!found++ && r->n_em)
                            cl = pass == 0 ? CL_STALE : CL_OTHER;
                        if (!print)
                            return cl;
                        ft_program_format(buf, sizeof buf, pg->ops, pg->n_ops);
                        fprintf(stderr,
                                "  what was emitted fits the program of %s %u at version "
                                "%llu: %s\n",
                                f == r->flow ? "this flow" : "flow", f, (unsigned long long)vr->v,
                                pg->n_ops ? buf : "(drop)");
                        break;
                    }
            }
        }
    if (!found && print)
        fprintf(stderr, "  what was emitted fits no program of the last %zu versions\n", T.n_vr);
    return cl;
}

static void
report_mismatch(uint32_t id, const char *what)
{
    const struct frec *r = &T.fr[id - 1];
    const struct flow *fl = &T.flows[r->flow];
    uint8_t in[EI_MAX_FRAME];
    uint16_t len = frame_bytes(id, in);
    char buf[4096];
    fprintf(stderr,
            "\ne2e_diff (%s) MISMATCH: %s\n  replay: OFSWITCH_TEST_SEED=%llu (run %u)\n"
            "  frame id %u, flow %u (%s), may be forwarded by versions %llu..%llu\n",
            MODE_NAME, what, (unsigned long long)T.seed, T.loop, id, r->flow, fl->desc,
            (unsigned long long)r->lo, (unsigned long long)r->hi);
    ft_key_format(buf, sizeof buf, &fl->key);
    fprintf(stderr, "  key: %s\n  input, %u bytes:\n", buf, len);
    ei_hex(stderr, "      ", in, len);
    fprintf(stderr, "  emitted (%u):\n", r->n_em);
    for (unsigned i = 0; i < r->n_em; i++)
        ei_out_print(stderr, &r->em[i]);
    for (size_t k = 0; k < T.n_vr; k++) {
        const struct vrec *vr = &T.vr[k];
        if (vr->v < r->lo || vr->v > r->hi || !vr->prog[r->flow])
            continue;
        const struct prog *pg = vr->prog[r->flow];
        ft_program_format(buf, sizeof buf, pg->ops, pg->n_ops);
        fprintf(stderr, "  version %llu%s (port-down mask 0x%x, walk flags 0x%x, rules",
                (unsigned long long)vr->v, vr->staged ? " as staged" : "", vr->down, pg->flags);
        for (unsigned c = 0; c < pg->n_cookies; c++)
            fprintf(stderr, " 0x%llx", (unsigned long long)pg->cookies[c]);
        fprintf(stderr, "):\n    program: %s\n", pg->n_ops ? buf : "(drop)");
        unsigned n_alts;
        char why[128];
        if (!ei_predict(pg->ops, pg->n_ops, in, len, fl->in_port, vr->down, T.alts, &n_alts, why,
                        sizeof why)) {
            fprintf(stderr, "    (not predictable: %s)\n", why);
            continue;
        }
        for (unsigned a = 0; a < n_alts && a < 4; a++) {
            fprintf(stderr, "   predicted (alternative %u of %u, %u outputs):\n", a + 1, n_alts,
                    T.alts[a].n);
            for (unsigned o = 0; o < T.alts[a].n; o++) {
                const char *diff = NULL;
                ei_out_print(stderr, &T.alts[a].o[o]);
                for (unsigned e = 0; e < r->n_em; e++)
                    if (r->em[e].pin == T.alts[a].o[o].pin &&
                        r->em[e].port == T.alts[a].o[o].port &&
                        !ei_out_same(&T.alts[a].o[o], &r->em[e], &diff) && diff)
                        fprintf(stderr, "      (emitted copy %u on the same port differs: %s)\n", e,
                                diff);
            }
        }
    }
    where_from(id, true);
    print_state();
}

static void
judge(uint32_t id)
{
    struct frec *r = &T.fr[id - 1];
    const struct flow *fl = &T.flows[r->flow];
    uint8_t in[EI_MAX_FRAME];
    uint16_t len = frame_bytes(id, in);
    const struct prog *match[64];
    unsigned n_match = 0, n_cand = 0;
    bool unpredictable = false;
    for (size_t k = 0; k < T.n_vr; k++) {
        const struct vrec *vr = &T.vr[k];
        if (vr->v < r->lo || vr->v > r->hi)
            continue;
        const struct prog *pg = vr->prog[r->flow];
        if (!pg && vr->staged)
            continue; /* The frame came after that commit. */
        ck_assert_msg(pg, "no walk of flow %u at version %llu", r->flow, (unsigned long long)vr->v);
        n_cand++;
        unsigned n_alts;
        char why[128];
        if (!ei_predict(pg->ops, pg->n_ops, in, len, fl->in_port, vr->down, T.alts, &n_alts, why,
                        sizeof why)) {
            if (!T.unpredictable++)
                fprintf(stderr, "e2e_diff (%s): cannot predict frame %u at version %llu: %s\n",
                        MODE_NAME, id, (unsigned long long)vr->v, why);
            unpredictable = true;
            continue;
        }
        for (unsigned a = 0; a < n_alts; a++)
            if (ei_outcome_same(&T.alts[a], r->em, r->n_em)) {
                if (n_match < 64)
                    match[n_match++] = pg;
                break;
            }
    }
    ck_assert_msg(n_cand, "frame %u: no version in %llu..%llu", id, (unsigned long long)r->lo,
                  (unsigned long long)r->hi);
    T.judged++;
    if (!n_match && unpredictable) {
        T.skipped++; /* Beyond what the interpreter models: neither pass nor fail. */
        for (size_t k = 0; k < T.n_vr; k++)
            if (T.vr[k].v >= r->lo && T.vr[k].v <= r->hi && T.vr[k].prog[r->flow])
                for (unsigned d = 0; d < T.vr[k].prog[r->flow]->n_cookies; d++)
                    if (T.vr[k].prog[r->flow]->cookies[d] < T.cap_cookie)
                        T.cmax[T.vr[k].prog[r->flow]->cookies[d]]++;
    } else if (!n_match) {
        T.mismatches++;
        /* Classify the first ones (a search over every kept walk). */
        int cl = T.mismatches <= 64 ? where_from(id, false) : CL_N;
        if (cl < CL_N) {
            T.by_class[cl]++;
            if (T.class_details[cl]++ < MAX_DETAILS)
                report_mismatch(id, cl_names[cl]);
        }
        /* Which rules counted it is unknown: any candidate's may have. */
        uint64_t seen[64];
        unsigned n_seen = 0;
        for (size_t k = 0; k < T.n_vr; k++) {
            const struct prog *pg = T.vr[k].prog[r->flow];
            if (T.vr[k].v < r->lo || T.vr[k].v > r->hi || !pg)
                continue;
            for (unsigned d = 0; d < pg->n_cookies; d++) {
                uint64_t ck = pg->cookies[d];
                bool dup = false;
                for (unsigned x = 0; x < n_seen; x++)
                    dup |= seen[x] == ck;
                if (!dup && n_seen < 64 && ck < T.cap_cookie) {
                    seen[n_seen++] = ck;
                    T.cmax[ck]++;
                }
            }
        }
    } else {
        T.ambiguous += n_match > 1;
        /* The rules that counted it: those of every matching version for
         * sure, those of some for maybe. */
        for (unsigned c = 0; c < match[0]->n_cookies; c++) {
            uint64_t ck = match[0]->cookies[c];
            bool all = true;
            for (unsigned m = 1; m < n_match && all; m++) {
                bool in_m = false;
                for (unsigned d = 0; d < match[m]->n_cookies; d++)
                    in_m |= match[m]->cookies[d] == ck;
                all = in_m;
            }
            if (all && ck < T.cap_cookie)
                T.cmin[ck]++;
        }
        uint64_t seen[64];
        unsigned n_seen = 0;
        for (unsigned m = 0; m < n_match; m++)
            for (unsigned d = 0; d < match[m]->n_cookies; d++) {
                uint64_t ck = match[m]->cookies[d];
                bool dup = false;
                for (unsigned s = 0; s < n_seen; s++)
                    dup |= seen[s] == ck;
                if (!dup && n_seen < 64) {
                    seen[n_seen++] = ck;
                    if (ck < T.cap_cookie)
                        T.cmax[ck]++;
                }
            }
    }
    r->state = 1;
    free(r->em);
    r->em = NULL;
    r->n_em = r->cap_em = 0;
}

/* Close in-flight frame id: forwarded by a version up to hi, or up to now
 * when it is not known when a worker took it. */
static void
close_frame(size_t open_idx)
{
    uint32_t id = T.open[open_idx];
    struct frec *r = &T.fr[id - 1];
    if (!r->taken)
        r->hi = ft_pipeline_version(T.p);
    T.open[open_idx] = T.open[--T.n_open];
    judge(id);
}

/* The frames workers took from the RX rings since the last look: a worker
 * loads its snapshot before it takes a burst, so they are forwarded by a
 * version committed by now. Returns how many there were. */
static unsigned
note_taken(void)
{
    uint64_t v = ft_pipeline_version(T.p);
    unsigned n = 0;
    for (unsigned p = 0; p < N_PORTS; p++)
        for (unsigned q = 0; q < N_RXQ; q++) {
            unsigned left = rte_ring_count(T.rp[p].rx[q]);
            ck_assert_uint_le(left, T.fifo_n[p][q]);
            for (; T.fifo_n[p][q] > left; T.fifo_n[p][q]--, n++) {
                struct frec *r = &T.fr[T.fifo[p][q][T.fifo_head[p][q]] - 1];
                T.fifo_head[p][q] = (T.fifo_head[p][q] + 1) % RX_RING;
                r->taken = true;
                r->hi = v;
            }
        }
    return n;
}

#endif /* E2E_JUDGE_H */
