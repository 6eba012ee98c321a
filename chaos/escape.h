/* escape.h: bytes from places a guest can write, made safe to print. */
#ifndef CHAOS_ESCAPE_H
#define CHAOS_ESCAPE_H

#include <stddef.h>

/*
 * Write the len bytes at s into out (outsz bytes) as text a terminal
 * shows and never acts on: printable ASCII stays as it is, except '\',
 * which doubles; tab, newline and carriage return become \t \n \r; every
 * other byte (NUL, control characters, ESC, DEL, and each byte from 0x80:
 * UTF-8 too, since nothing a guest writes for us is text for people)
 * becomes \xHH, so no escape sequence, 8-bit CSI or invalid UTF-8 gets
 * through and the original bytes can be read back.  out is NUL-terminated
 * when outsz > 0; an escape that does not fit whole is left out, with
 * everything after it.  Returns the length of the whole escaped text
 * (without its NUL), as snprintf does: at most 4 * len.
 */
size_t esc_bytes(char *out, size_t outsz, const void *s, size_t len);

/* The same, whole, in a malloc'd string; NULL with errno ENOMEM. */
char *esc_dup(const void *s, size_t len);

#endif
