/* phases.c: phase timings of a create, as text or JSON. */
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "clock.h"
#include "phases.h"

void
phases_start(struct phases *p)
{
	if (p == NULL)
		return;
	p->n = 0;
	p->start_us = p->last_us = clk_now_us();
}

void
phases_add(struct phases *p, const char *name, int64_t us)
{
	if (p == NULL || p->n == PHASES_MAX)
		return;
	p->e[p->n].name = name;
	p->e[p->n].us = us;
	p->n++;
	p->last_us += us;
}

void
phases_mark(struct phases *p, const char *name)
{
	int64_t now = clk_now_us();

	if (p == NULL)
		return;
	phases_add(p, name, now - p->last_us);
}

int64_t
phases_total(const struct phases *p)
{
	return p == NULL ? 0 : p->last_us - p->start_us;
}

/* milliseconds with three decimals, as a JSON number */
static void
gen_ms(yajl_gen g, int64_t us)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "%.3f", (double)us / 1000.0);

	yajl_gen_number(g, num, (size_t)n);
}

static int
print_json(const struct phases *p, const char *path, FILE *f)
{
	const unsigned char *buf;
	yajl_gen g = yajl_gen_alloc(NULL);
	size_t len, i;
	int rc;

	if (g == NULL)
		return -1;
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_map_open(g);
	yajl_gen_string(g, (const unsigned char *)"path", 4);
	yajl_gen_string(g, (const unsigned char *)path, strlen(path));
	yajl_gen_string(g, (const unsigned char *)"phases", 6);
	yajl_gen_array_open(g);
	for (i = 0; i < p->n; i++) {
		yajl_gen_map_open(g);
		yajl_gen_string(g, (const unsigned char *)"phase", 5);
		yajl_gen_string(g, (const unsigned char *)p->e[i].name,
				strlen(p->e[i].name));
		yajl_gen_string(g, (const unsigned char *)"ms", 2);
		gen_ms(g, p->e[i].us);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_string(g, (const unsigned char *)"total_ms", 8);
	gen_ms(g, phases_total(p));
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	rc = fwrite(buf, 1, len, f) == len && fputc('\n', f) != EOF ? 0 : -1;
	yajl_gen_free(g);
	return rc;
}

int
phases_print(const struct phases *p, const char *path, int json, void *file)
{
	FILE *f = file;
	size_t i;

	if (json)
		return print_json(p, path, f);
	if (strcmp(path, "pool") == 0 || strcmp(path, "cold") == 0)
		fprintf(f, "phases of the create (%s path), ms:\n", path);
	else /* "save", "restore" */
		fprintf(f, "phases of the %s, ms:\n", path);
	for (i = 0; i < p->n; i++)
		fprintf(f, "  %-18s %9.2f\n", p->e[i].name,
			(double)p->e[i].us / 1000.0);
	fprintf(f, "  %-18s %9.2f\n", "total",
		(double)phases_total(p) / 1000.0);
	return ferror(f) ? -1 : 0;
}
