/* vbd.c: the device numbers of xl's vdev names (vbd.h). */
#include <stdlib.h>
#include <string.h>

#include "vbd.h"

/*
 * prefix, then the disk in letters (bijective base 26: a=0, z=25,
 * aa=26), then a partition number without a leading zero: 1 when vdev
 * has that form with disk <= max_disk and partition <= max_part.
 */
static int
lettered(const char *vdev, const char *prefix, unsigned long max_disk,
	 unsigned long max_part, unsigned long *disk, unsigned long *part)
{
	size_t n = strlen(prefix);
	const char *p = vdev + n;
	unsigned long d = 0;
	int letters = 0;
	char *end;

	if (strncmp(vdev, prefix, n) != 0)
		return 0;
	for (; *p >= 'a' && *p <= 'z'; p++, letters++) {
		d = (letters ? d + 1 : 0) * 26 + (unsigned long)(*p - 'a');
		if (d > max_disk)
			return 0;
	}
	if (letters == 0)
		return 0;
	*disk = d;
	*part = 0;
	if (*p == '\0')
		return 1;
	if (*p < '1' || *p > '9')
		return 0; /* no sign, no leading zero */
	*part = strtoul(p, &end, 10);
	return *end == '\0' && *part <= max_part;
}

/* d<D>p<P>: decimal, no sign, no leading zeros */
static int
numbered(const char *vdev, unsigned long *disk, unsigned long *part)
{
	const char *p = vdev;
	char *end;

	if (*p++ != 'd' || *p < '0' || *p > '9' || (p[0] == '0' && p[1] != 'p'))
		return 0;
	*disk = strtoul(p, &end, 10);
	if (*end != 'p' || end[1] < '0' || end[1] > '9' ||
	    (end[1] == '0' && end[2] != '\0'))
		return 0;
	p = end + 1;
	*part = strtoul(p, &end, 10);
	return *end == '\0' && *disk < (1ul << 20) && *part <= 255;
}

int
vbd_devnum(const char *vdev, uint32_t *num)
{
	unsigned long disk, part, v;
	char *end;

	if (vdev == NULL || *vdev == '\0')
		return -1;
	if (numbered(vdev, &disk, &part) ||
	    lettered(vdev, "xvd", (1ul << 20) - 1, 255, &disk, &part)) {
		*num = disk <= 15 && part <= 15
			       ? (uint32_t)(202 << 8 | disk << 4 | part)
			       : (uint32_t)(1ul << 28 | disk << 8 | part);
		return 0;
	}
	if (*vdev >= '0' && *vdev <= '9') {
		v = strtoul(vdev, &end, 0);
		if (*end != '\0' || v == 0 || v > 0x7fffffff)
			return -1;
		*num = (uint32_t)v;
		return 0;
	}
	if (lettered(vdev, "hd", 3, 63, &disk, &part)) {
		*num = (uint32_t)((disk < 2 ? 3 : 22) << 8 | (disk & 1) << 6 |
				  part);
		return 0;
	}
	if (lettered(vdev, "sd", 15, 15, &disk, &part)) {
		*num = (uint32_t)(8 << 8 | disk << 4 | part);
		return 0;
	}
	return -1;
}
