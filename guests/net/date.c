/* date.c: the daytime line (RFC 867 leaves its format free) from UTC. */
#include "net.h"

static const char *const wdays[] = {
	"Thursday", "Friday",  "Saturday", "Sunday",
	"Monday",   "Tuesday", "Wednesday"}; /* 1970-01-01 first */
static const char *const months[] = {
	"January", "February", "March",	    "April",   "May",	   "June",
	"July",	   "August",   "September", "October", "November", "December"};

static int
leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

struct buf {
	char *p;
	size_t len, cap;
};

static void
put(struct buf *b, const char *s)
{
	while (*s) {
		if (b->len + 1 < b->cap)
			b->p[b->len] = *s;
		b->len++;
		s++;
	}
}

/* v in at least width digits */
static void
putnum(struct buf *b, unsigned long v, int width)
{
	char d[24];
	int i = (int)sizeof(d) - 1;

	d[i] = '\0';
	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
		width--;
	} while (v || width > 0);
	put(b, d + i);
}

size_t
net_format_date(uint64_t secs, char *buf, size_t cap)
{
	struct buf b = {buf, 0, cap};
	uint64_t days = secs / 86400;
	unsigned long sod = (unsigned long)(secs % 86400);
	unsigned year = 1970, mon = 0, mdays;

	if (cap == 0)
		return 0;
	put(&b, wdays[days % 7]);
	/* the year, then the month (the years are bounded: no long loop on
	 * a wild clock) */
	while (year < 9999 && days >= (uint64_t)(365 + leap(year))) {
		days -= 365 + (unsigned)leap(year);
		year++;
	}
	for (;;) {
		if (mon == 1)
			mdays = 28 + (unsigned)leap(year);
		else if (mon == 3 || mon == 5 || mon == 8 || mon == 10)
			mdays = 30;
		else
			mdays = 31;
		if (days < mdays || mon == 11)
			break;
		days -= mdays;
		mon++;
	}
	if (days > 30)
		days = 30; /* only past year 9999 */
	put(&b, ", ");
	put(&b, months[mon]);
	put(&b, " ");
	putnum(&b, (unsigned long)days + 1, 1);
	put(&b, ", ");
	putnum(&b, year, 4);
	put(&b, " ");
	putnum(&b, sod / 3600, 2);
	put(&b, ":");
	putnum(&b, sod / 60 % 60, 2);
	put(&b, ":");
	putnum(&b, sod % 60, 2);
	put(&b, "-UTC\r\n");
	if (b.len >= cap) {
		buf[0] = '\0';
		return 0;
	}
	buf[b.len] = '\0';
	return b.len;
}
