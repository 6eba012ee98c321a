/* domcfg_json.h: canonical JSON of a struct domcfg. */
#ifndef CHAOS_DOMCFG_JSON_H
#define CHAOS_DOMCFG_JSON_H

#include <stddef.h>

#include <yajl/yajl_gen.h>

#include "domcfg.h"

/* The domain as pretty-printed JSON ending in a newline; malloc'd, or NULL
 * when out of memory.  Strings that are not valid UTF-8 fail too. */
char *domcfg_to_json(const struct domcfg *dc);

/* The domain as one JSON object into an open generator. */
void domcfg_json_gen(yajl_gen g, const struct domcfg *dc);

/* A generator set up as chaos prints JSON (indented by two spaces). */
yajl_gen json_gen_new(void);

/* The generator's text, malloc'd (NULL when out of memory); frees g. */
char *json_gen_finish(yajl_gen g);

/* Writes set as "0-3,6" into buf (truncated to len). */
void dc_cpuset_format(const struct dc_cpuset *set, char *buf, size_t len);

#endif
