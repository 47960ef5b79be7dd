/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofswitch_conf.h — the configuration file (ofswitch --config FILE,
 * ofswitch.conf(5)) and the running configuration that ofswitch-ctl
 * changes (add-port, del-port) and writes (save).
 *
 * The file holds one setting per line, KEY = VALUE; blank lines and lines
 * whose first non-blank character is '#' are ignored. KEY is
 *   eal              VALUE: EAL arguments separated by blanks (lines add up)
 *   port NUM         VALUE: the port's DEVARGS (NUM: 1-4294967040 or LOCAL)
 *   controller       repeatable
 *   datapath-id, fail-mode, private-key, certificate, ca-cert, rxq,
 *   mbufs, cache-entries, packet-in-rate, stall-timeout, ctl-socket
 * — the long options of ofswitch_opts.h without "--", taking the same
 * values. The first '=' ends the key; the value is the rest of the line
 * with the blanks at either end removed (no quoting; a '#' in a value is
 * part of it). A key other than eal, port and controller may appear once.
 * Errors are one line, "FILE:LINE: reason".
 *
 * Write-back: a port added or deleted at run time changes only that
 * port's line of the file (every other line is kept as it is, comments
 * included); save writes the whole running configuration. Both write a
 * temporary file in the same directory, fsync it, rename it over the
 * target and fsync the directory, so a crash leaves the old file or the
 * new one, never a mix.
 *
 * Thread safety: none; the main lcore (the agent's thread) only.
 */
#ifndef OFSWITCH_CONF_H
#define OFSWITCH_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "ofswitch_opts.h"

struct ofs_conf;

/* Read path into o (layer OFS_FROM_FILE; o was ofs_opts_init'ed). The
 * configuration keeps the text o's strings point into: free it after o.
 * NULL with a one-line reason in err. */
struct ofs_conf *ofs_conf_load(const char *path, struct ofs_opts *o, char *err, size_t errlen);

/* A running configuration without a file (no --config): save needs a
 * path. NULL when out of memory. */
struct ofs_conf *ofs_conf_new(void);

/* The file's EAL arguments (its eal lines, in order); *n gets the count. */
char **ofs_conf_eal(const struct ofs_conf *c, int *n);

/* The file given (resolved), or NULL. */
const char *ofs_conf_path(const struct ofs_conf *c);

/* Once the switch runs: what runs is o (kept, must outlive c), the EAL
 * arguments eal[0..n_eal) (kept), the datapath id and o's ports (copied:
 * they change at run time). -ENOMEM. */
int ofs_conf_start(struct ofs_conf *c, const struct ofs_opts *o, int n_eal, char **eal,
                   uint64_t datapath_id);

/* add-port attached a port: write its line to the file (if any), then
 * remember it. 0, or -errno with a one-line reason in err (nothing
 * changed). */
int ofs_conf_port_added(struct ofs_conf *c, uint32_t port_no, const char *devargs, char *err,
                        size_t errlen);

/* del-port detached a port: forget it, and remove its line from the file
 * (if any). 0, or -errno with a one-line reason in err (the file kept). */
int ofs_conf_port_deleted(struct ofs_conf *c, uint32_t port_no, char *err, size_t errlen);

/* Write the running configuration to path (NULL: the file given, -ENOENT
 * without one). The path written goes to saved. 0, or -errno with err. */
int ofs_conf_save(struct ofs_conf *c, const char *path, char *saved, size_t savedlen, char *err,
                  size_t errlen);

void ofs_conf_free(struct ofs_conf *c);

/* The pieces, for tests. */

/* The running configuration as file text (NUL-terminated, caller frees);
 * NULL with err when out of memory or a value cannot be written (a blank
 * inside an EAL argument, a line break in a value). */
char *ofs_conf_format(const struct ofs_conf *c, char *err, size_t errlen);

/* text with port_no's line(s) replaced by "port NUM = devargs", or removed
 * when devargs is NULL; a new port goes after the last port line, else at
 * the end. Every other byte is kept. Caller frees; NULL when out of memory. */
char *ofs_conf_edit_port(const char *text, uint32_t port_no, const char *devargs);

/* Replace path with data atomically (temporary file, fsync, rename, fsync
 * of the directory); an existing file's mode is kept. 0 or -errno with
 * "cannot write PATH: reason" in err. */
int ofs_conf_write_file(const char *path, const char *data, size_t len, char *err, size_t errlen);

#endif /* OFSWITCH_CONF_H */
