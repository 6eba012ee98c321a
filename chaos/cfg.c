/*
 * cfg.c: lexer and recursive-descent parser for the xl.cfg syntax.
 *
 * Accepts what xl's libxlutil accepts: `key = value` statements ended by a
 * newline or `;`, `key += value`, `#` comments, single- and double-quoted
 * strings with C escapes (\n \t \\ \' \" \a \b \f \r \v \xHH \OOO), bare
 * numbers (decimal, 0x hex), and lists `[ v, v, ]` that may nest, span lines
 * and end with a comma.  Keys may also use upper-case letters (xl takes only
 * lower case); that is a harmless superset since unknown keys only warn.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"

#define CFG_MAX_DEPTH 32 /* list nesting; deeper input is rejected */

enum tok {
	T_EOF,
	T_NEWLINE,
	T_SEMI,
	T_IDENT,
	T_NUMBER,
	T_STRING,
	T_EQ,
	T_PLUSEQ,
	T_COMMA,
	T_LBRACK,
	T_RBRACK,
	T_ERROR
};

struct lexer {
	const char *p, *end;
	int line, col;
	struct diag *d;
	/* current token */
	enum tok tok;
	int tline, tcol;
	char *text; /* IDENT, NUMBER, STRING: malloc'd, owned by the lexer */
};

static void
advance(struct lexer *lx)
{
	if (*lx->p == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	lx->p++;
}

static int
lex_error(struct lexer *lx, int line, int col, const char *msg)
{
	diag_error(lx->d, line, col, "%s", msg);
	lx->tok = T_ERROR;
	return -1;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode one escape after a backslash; *out gets the byte. */
static int
lex_escape(struct lexer *lx, char *out)
{
	int line = lx->line, col = lx->col - 1, c, v, n;

	if (lx->p >= lx->end || *lx->p == '\n')
		return lex_error(lx, line, col, "unterminated string");
	c = (unsigned char)*lx->p;
	advance(lx);
	switch (c) {
	case '"':
	case '\'':
	case '\\': *out = (char)c; return 0;
	case 'a': *out = '\a'; return 0;
	case 'b': *out = '\b'; return 0;
	case 'f': *out = '\f'; return 0;
	case 'n': *out = '\n'; return 0;
	case 'r': *out = '\r'; return 0;
	case 't': *out = '\t'; return 0;
	case 'v': *out = '\v'; return 0;
	case 'x':
		for (v = 0, n = 0; n < 2 && lx->p < lx->end &&
				   hexval((unsigned char)*lx->p) >= 0;
		     n++) {
			v = v * 16 + hexval((unsigned char)*lx->p);
			advance(lx);
		}
		if (n != 2)
			return lex_error(lx, line, col,
					 "\\x needs two hex digits");
		break;
	default:
		if (c < '0' || c > '7')
			return lex_error(lx, line, col,
					 "unknown escape in string");
		v = c - '0';
		for (n = 1;
		     n < 3 && lx->p < lx->end && *lx->p >= '0' && *lx->p <= '7';
		     n++) {
			v = v * 8 + (*lx->p - '0');
			advance(lx);
		}
		if (v > 255)
			return lex_error(lx, line, col,
					 "octal escape is larger than 255");
		break;
	}
	if (v == 0)
		return lex_error(lx, line, col, "NUL byte in string");
	*out = (char)v;
	return 0;
}

int
cfg_utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0, k, len;
	unsigned cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			len = 2;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			len = 3;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0) {
			len = 4;
			cp = s[i] & 0x07;
		} else {
			return 0;
		}
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

static int
lex_string(struct lexer *lx)
{
	char quote = *lx->p, *buf, c;
	size_t n = 0;
	int line = lx->line, col = lx->col;

	/* the decoded string is never longer than the rest of the input */
	buf = malloc((size_t)(lx->end - lx->p) + 1);
	if (buf == NULL)
		return lex_error(lx, line, col, "out of memory");
	advance(lx);
	for (;;) {
		if (lx->p >= lx->end || *lx->p == '\n') {
			free(buf);
			return lex_error(lx, line, col, "unterminated string");
		}
		c = *lx->p;
		if (c == quote) {
			advance(lx);
			break;
		}
		if (c == '\0') {
			free(buf);
			return lex_error(lx, lx->line, lx->col,
					 "NUL byte in string");
		}
		advance(lx);
		if (c == '\\' && lex_escape(lx, &c) < 0) {
			free(buf);
			return -1;
		}
		buf[n++] = c;
	}
	buf[n] = '\0';
	if (!cfg_utf8_valid((unsigned char *)buf, n)) {
		free(buf);
		return lex_error(lx, line, col, "string is not valid UTF-8");
	}
	lx->text = buf;
	lx->tok = T_STRING;
	return 0;
}

static int
lex_word(struct lexer *lx, enum tok tok)
{
	const char *start = lx->p;
	size_t n;

	while (lx->p < lx->end &&
	       (isalnum((unsigned char)*lx->p) || *lx->p == '_'))
		advance(lx);
	n = (size_t)(lx->p - start);
	lx->text = malloc(n + 1);
	if (lx->text == NULL)
		return lex_error(lx, lx->tline, lx->tcol, "out of memory");
	memcpy(lx->text, start, n);
	lx->text[n] = '\0';
	lx->tok = tok;
	return 0;
}

/* Read the next token into lx->tok; -1 after reporting a lexical error. */
static int
lex_next(struct lexer *lx)
{
	unsigned char c;

	free(lx->text);
	lx->text = NULL;
	for (;;) {
		if (lx->p >= lx->end) {
			lx->tline = lx->line;
			lx->tcol = lx->col;
			lx->tok = T_EOF;
			return 0;
		}
		c = (unsigned char)*lx->p;
		if (c == ' ' || c == '\t' || c == '\r') {
			advance(lx);
			continue;
		}
		if (c == '#') {
			lx->tline = lx->line;
			lx->tcol = lx->col;
			while (lx->p < lx->end && *lx->p != '\n')
				advance(lx);
			/* xl's lexer takes a comment with its newline only */
			if (lx->p >= lx->end)
				return lex_error(lx, lx->tline, lx->tcol,
						 "a comment on the last line "
						 "needs a newline after it (xl "
						 "refuses the file otherwise)");
			continue;
		}
		break;
	}
	lx->tline = lx->line;
	lx->tcol = lx->col;
	switch (c) {
	case '\n':
		advance(lx);
		lx->tok = T_NEWLINE;
		return 0;
	case ';':
		advance(lx);
		lx->tok = T_SEMI;
		return 0;
	case '=':
		advance(lx);
		lx->tok = T_EQ;
		return 0;
	case ',':
		advance(lx);
		lx->tok = T_COMMA;
		return 0;
	case '[':
		advance(lx);
		lx->tok = T_LBRACK;
		return 0;
	case ']':
		advance(lx);
		lx->tok = T_RBRACK;
		return 0;
	case '"':
	case '\'': return lex_string(lx);
	case '+':
		if (lx->p + 1 < lx->end && lx->p[1] == '=') {
			advance(lx);
			advance(lx);
			lx->tok = T_PLUSEQ;
			return 0;
		}
		break;
	default:
		if (isdigit(c))
			return lex_word(lx, T_NUMBER);
		if (isalpha(c) || c == '_')
			return lex_word(lx, T_IDENT);
		break;
	}
	if (c == '\0')
		return lex_error(lx, lx->tline, lx->tcol, "NUL byte in file");
	if (isprint(c))
		diag_error(lx->d, lx->tline, lx->tcol, "unexpected '%c'", c);
	else
		diag_error(lx->d, lx->tline, lx->tcol, "unexpected byte 0x%02x",
			   c);
	lx->tok = T_ERROR;
	return -1;
}

static const char *
tok_name(enum tok t)
{
	switch (t) {
	case T_EOF: return "end of file";
	case T_NEWLINE: return "end of line";
	case T_SEMI: return "';'";
	case T_IDENT: return "a name";
	case T_NUMBER: return "a number";
	case T_STRING: return "a string";
	case T_EQ: return "'='";
	case T_PLUSEQ: return "'+='";
	case T_COMMA: return "','";
	case T_LBRACK: return "'['";
	case T_RBRACK: return "']'";
	default: return "an invalid token";
	}
}

static int
syntax_error(struct lexer *lx, const char *expected)
{
	diag_error(lx->d, lx->tline, lx->tcol, "expected %s, found %s",
		   expected, tok_name(lx->tok));
	return -1;
}

static void
value_free(struct cfg_value *v)
{
	size_t i;

	if (v == NULL)
		return;
	free(v->atom);
	for (i = 0; i < v->nitems; i++)
		value_free(v->items[i]);
	free(v->items);
	free(v);
}

static int
list_push(struct cfg_value *list, struct cfg_value *item)
{
	struct cfg_value **n;

	if ((list->nitems & (list->nitems - 1)) == 0) { /* 0, 1, 2, 4, ... */
		n = realloc(list->items,
			    sizeof(*n) * (list->nitems ? list->nitems * 2 : 1));
		if (n == NULL)
			return -1;
		list->items = n;
	}
	list->items[list->nitems++] = item;
	return 0;
}

/* Skip newlines: allowed anywhere inside brackets. */
static int
skip_newlines(struct lexer *lx)
{
	while (lx->tok == T_NEWLINE)
		if (lex_next(lx) < 0)
			return -1;
	return 0;
}

static struct cfg_value *parse_value(struct lexer *lx, int depth);

static struct cfg_value *
parse_list(struct lexer *lx, int depth)
{
	struct cfg_value *list, *item;

	if (depth >= CFG_MAX_DEPTH) {
		diag_error(lx->d, lx->tline, lx->tcol,
			   "lists nested deeper than %d", CFG_MAX_DEPTH);
		return NULL;
	}
	list = calloc(1, sizeof(*list));
	if (list == NULL)
		return NULL;
	list->type = CFG_LIST;
	list->source = lx->d->source;
	list->line = lx->tline;
	list->col = lx->tcol;
	if (lex_next(lx) < 0 || skip_newlines(lx) < 0)
		goto fail;
	while (lx->tok != T_RBRACK) {
		if (lx->tok == T_EOF) {
			diag_error(lx->d, list->line, list->col,
				   "'[' is never closed");
			goto fail;
		}
		item = parse_value(lx, depth + 1);
		if (item == NULL)
			goto fail;
		if (list_push(list, item) < 0) {
			value_free(item);
			diag_error(lx->d, lx->tline, lx->tcol, "out of memory");
			goto fail;
		}
		if (skip_newlines(lx) < 0)
			goto fail;
		if (lx->tok == T_RBRACK)
			break;
		if (lx->tok == T_EOF) {
			diag_error(lx->d, list->line, list->col,
				   "'[' is never closed");
			goto fail;
		}
		if (lx->tok != T_COMMA) {
			syntax_error(lx, "',' or ']'");
			goto fail;
		}
		if (lex_next(lx) < 0 || skip_newlines(lx) < 0)
			goto fail;
	}
	if (lex_next(lx) < 0)
		goto fail;
	return list;
fail:
	value_free(list);
	return NULL;
}

/* value := atom | '[' ... ']'; on return lx->tok is the token after it. */
static struct cfg_value *
parse_value(struct lexer *lx, int depth)
{
	struct cfg_value *v;

	if (lx->tok == T_LBRACK)
		return parse_list(lx, depth);
	if (lx->tok != T_STRING && lx->tok != T_NUMBER) {
		if (lx->tok == T_IDENT)
			diag_error(lx->d, lx->tline, lx->tcol,
				   "expected a value, found bare word '%s' "
				   "(strings need quotes)",
				   lx->text);
		else if (lx->tok != T_ERROR)
			syntax_error(lx, "a value");
		return NULL;
	}
	v = calloc(1, sizeof(*v));
	if (v == NULL) {
		diag_error(lx->d, lx->tline, lx->tcol, "out of memory");
		return NULL;
	}
	v->type = CFG_ATOM;
	v->source = lx->d->source;
	v->line = lx->tline;
	v->col = lx->tcol;
	v->quoted = lx->tok == T_STRING;
	v->atom = lx->text; /* take ownership */
	lx->text = NULL;
	if (lex_next(lx) < 0) {
		value_free(v);
		return NULL;
	}
	return v;
}

static struct cfg_setting *
find(const struct cfg *cfg, const char *key)
{
	struct cfg_setting *s;

	for (s = cfg->head; s != NULL; s = s->next)
		if (strcmp(s->key, key) == 0)
			return s;
	return NULL;
}

const struct cfg_setting *
cfg_get(const struct cfg *cfg, const char *key)
{
	return find(cfg, key);
}

/* old += add: join strings or concatenate lists into old; frees add. */
static int
concat(struct lexer *lx, struct cfg_value *old, struct cfg_value *add)
{
	size_t i, n;
	char *s;

	if (old->type != add->type) {
		diag_error(lx->d, add->line, add->col,
			   "cannot add a %s to a %s with +=",
			   add->type == CFG_LIST ? "list" : "single value",
			   old->type == CFG_LIST ? "list" : "single value");
		value_free(add);
		return -1;
	}
	if (old->type == CFG_ATOM) {
		n = strlen(old->atom);
		s = realloc(old->atom, n + strlen(add->atom) + 1);
		if (s == NULL)
			goto nomem;
		strcpy(s + n, add->atom);
		old->atom = s;
		old->quoted = 1;
		value_free(add);
		return 0;
	}
	for (i = 0; i < add->nitems; i++) {
		if (list_push(old, add->items[i]) < 0) {
			/* items before i now belong to old */
			memmove(add->items, add->items + i,
				sizeof(*add->items) * (add->nitems - i));
			add->nitems -= i;
			goto nomem;
		}
	}
	add->nitems = 0;
	value_free(add);
	return 0;
nomem:
	value_free(add);
	diag_error(lx->d, lx->tline, lx->tcol, "out of memory");
	return -1;
}

static int
store(struct lexer *lx, struct cfg *cfg, char *key, int line, int col,
      int append, struct cfg_value *v)
{
	struct cfg_setting *s = find(cfg, key), **tail;

	if (s != NULL) {
		free(key);
		if (append) {
			if (concat(lx, s->value, v) < 0)
				return -1;
		} else {
			value_free(s->value);
			s->value = v;
		}
		s->source = lx->d->source;
		s->line = line;
		s->col = col;
		s->append = append;
		return 0;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		free(key);
		value_free(v);
		diag_error(lx->d, line, col, "out of memory");
		return -1;
	}
	s->key = key;
	s->source = lx->d->source;
	s->line = line;
	s->col = col;
	s->append = append;
	s->value = v;
	for (tail = &cfg->head; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = s;
	return 0;
}

/* stmt := IDENT ('=' | '+=') value (NEWLINE | ';' | EOF) */
static int
parse_stmt(struct lexer *lx, struct cfg *cfg)
{
	struct cfg_value *v;
	char *key;
	int line = lx->tline, col = lx->tcol, append;

	if (lx->tok != T_IDENT)
		return syntax_error(lx, "a setting name");
	key = lx->text;
	lx->text = NULL;
	if (lex_next(lx) < 0)
		goto fail;
	if (lx->tok != T_EQ && lx->tok != T_PLUSEQ) {
		syntax_error(lx, "'=' after the setting name");
		goto fail;
	}
	append = lx->tok == T_PLUSEQ;
	if (lex_next(lx) < 0)
		goto fail;
	v = parse_value(lx, 0);
	if (v == NULL)
		goto fail;
	if (lx->tok != T_NEWLINE && lx->tok != T_SEMI && lx->tok != T_EOF) {
		syntax_error(lx, "end of line or ';' after the value");
		value_free(v);
		goto fail;
	}
	return store(lx, cfg, key, line, col, append, v);
fail:
	free(key);
	return -1;
}

int
cfg_parse(struct cfg *cfg, const char *text, size_t len, struct diag *d)
{
	struct lexer lx = {
		.p = text,
		.end = text + len,
		.line = 1,
		.col = 1,
		.d = d,
	};
	int rc = -1;

	if (lex_next(&lx) < 0)
		goto out;
	while (lx.tok != T_EOF) {
		if (lx.tok == T_NEWLINE || lx.tok == T_SEMI) {
			if (lex_next(&lx) < 0)
				goto out;
			continue;
		}
		if (parse_stmt(&lx, cfg) < 0)
			goto out;
	}
	rc = 0;
out:
	free(lx.text);
	return rc;
}

void
cfg_free(struct cfg *cfg)
{
	struct cfg_setting *s, *next;

	for (s = cfg->head; s != NULL; s = next) {
		next = s->next;
		free(s->key);
		value_free(s->value);
		free(s);
	}
	cfg->head = NULL;
}
