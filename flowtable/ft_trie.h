/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_trie.h (internal) — a binary trie of the IPv4 prefixes one table's
 * rules match on one address field, so a lookup can tell from a packet's
 * address which prefix lengths can match it at all, and how many leading
 * bits tell it apart from every other prefix (Open vSwitch's classifier
 * tries, as its documentation describes them).
 *
 * What it buys: when a subtable's probe finds no rule for a packet and no
 * rule on the packet's path has the subtable's prefix length, the first
 * min(depth + 1, length) bits of the address prove that miss for every
 * packet of a cache entry, not the subtable's whole mask. Scenario 4's ACL of /16-/24
 * source prefixes otherwise splits 1,000 sources into 4 entries per
 * destination.
 *
 * Thread safety: one writer (the pipeline's) inserts and removes; readers
 * walk it concurrently. A node is published with a release store after it
 * is filled; a pruned node is retired through the pipeline's grace period.
 * The writer inserts a rule's prefix before the rule can be seen and
 * removes it only once no reader can see the rule, so readers always walk
 * a superset of the prefixes visible to them: extra prefixes only mean
 * more bits, never too few.
 *
 * Errors: an insert that cannot allocate (or would grow the pipeline's
 * tries past its max_trie_nodes) switches the trie off (lookups then skip nothing)
 * rather than failing the rule.
 */
#ifndef FT_TRIE_H
#define FT_TRIE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct ft_pipeline;

struct ft_trie_node {
    struct ft_trie_node *_Atomic child[2];
    _Atomic uint32_t rules; /* Rules whose prefix ends here (length = depth). */
};

struct ft_trie {
    struct ft_trie_node *_Atomic root; /* Depth 0; NULL while empty. */
    _Atomic bool broken;               /* Off for good: an insert failed, or the
                                          pipeline's tries would pass max_trie_nodes. */
    uint32_t n_nodes;                  /* writer. */
};

/* Nodes all of a pipeline's tries may hold by default
 * (ft_pipeline_config.max_trie_nodes; 32 bytes each, so 128 MiB): up to
 * 32 per prefix, shared between prefixes with common leading bits (100,000
 * consecutive /32 routes take about 200,000 nodes, as many random ones up
 * to 1.6 million). A trie that would pass it is switched off and freed:
 * its table's misses then keep whole subtable masks, as without tries. */
#define FT_TRIE_MAX_NODES (1u << 22)

/* What a lookup learnt about one address. */
struct ft_trie_path {
    uint64_t plens; /* Bit L: some rule of prefix length L matches the address. */
    uint8_t depth;  /* Leading bits shared with the nearest prefix (0-32). */
};

/* Writer: count a rule with prefix value/plen (1..32; value's bits past
 * plen zero). A trie that cannot take it is switched off, its nodes
 * retired to p's garbage. */
void ft_trie_insert(struct ft_pipeline *p, struct ft_trie *t, uint32_t value, unsigned plen);

/* Writer, once no reader can see the rule: uncount it; nodes left empty go
 * to p's garbage. */
void ft_trie_remove(struct ft_pipeline *p, struct ft_trie *t, uint32_t value, unsigned plen);

/* Writer, with no reader left: free every node. */
void ft_trie_destroy(struct ft_trie *t);

/* Reader: the path of addr; false if the trie cannot be used (empty or
 * broken): then a miss keeps the subtable's whole mask. */
bool ft_trie_lookup(const struct ft_trie *t, uint32_t addr, struct ft_trie_path *out);

/* The prefix length of a 32-bit mask, or 0 if it is not a prefix (or 0). */
static inline unsigned
ft_prefix_len(uint32_t mask)
{
    if (!mask || (~mask & (~mask + 1)))
        return 0; /* Zero, or the zero bits are not all trailing. */
    return (unsigned)__builtin_popcount(mask);
}

static inline uint32_t
ft_prefix_mask(unsigned len)
{
    return len ? UINT32_MAX << (32 - len) : 0;
}

#endif /* FT_TRIE_H */
