/*
 * test_acpi: the PVH guest's ACPI tables are what Linux's table parser
 * accepts: every checksum right, the RSDP naming the XSDT, the XSDT the
 * FADT and MADT, the FADT the DSDT and hardware-reduced, one local APIC
 * per possible vCPU with the online ones enabled; bad counts and short
 * buffers are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "acpi.h"

#define BASE 0xFC000000ULL

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t
get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint8_t
sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* the table at guest address addr inside buf, checked: signature, length
 * inside the blob, checksum */
static const uint8_t *
table(const uint8_t *buf, size_t len, uint64_t addr, const char *sig)
{
	const uint8_t *t;

	assert_true(addr >= BASE && addr - BASE + 36 <= len);
	t = buf + (addr - BASE);
	assert_memory_equal(t, sig, 4);
	assert_true(get32(t + 4) >= 36 && addr - BASE + get32(t + 4) <= len);
	assert_int_equal(sum(t, get32(t + 4)), 0);
	return t;
}

static void
test_tables(void **state)
{
	unsigned max = 4, online = 3, v;
	size_t len = acpi_size(max);
	uint8_t *buf = malloc(len);
	const uint8_t *xsdt, *fadt, *madt, *e;

	(void)state;
	assert_non_null(buf);
	assert_int_equal(acpi_build(buf, len, BASE, max, online), len);
	/* RSDP 2.0 at the start: both checksums */
	assert_memory_equal(buf, "RSD PTR ", 8);
	assert_int_equal(buf[15], 2);
	assert_int_equal(sum(buf, 20), 0);
	assert_int_equal(sum(buf, 36), 0);
	xsdt = table(buf, len, get64(buf + 24), "XSDT");
	assert_int_equal(get32(xsdt + 4), 36 + 2 * 8);
	fadt = table(buf, len, get64(xsdt + 36), "FACP");
	madt = table(buf, len, get64(xsdt + 44), "APIC");
	/* the FADT: hardware-reduced, no VGA, no CMOS clock, a DSDT */
	assert_true(get32(fadt + 112) & (1u << 20));
	assert_int_equal(fadt[109] & 0x24, 0x24);
	assert_int_equal(get64(fadt + 140), get32(fadt + 40));
	table(buf, len, get64(fadt + 140), "DSDT");
	/* the MADT: one enabled or disabled local APIC per vCPU */
	assert_int_equal(get32(madt + 4), 44 + max * 8);
	assert_int_equal(get32(madt + 36), 0xFEE00000);
	for (v = 0; v < max; v++) {
		e = madt + 44 + v * 8;
		assert_int_equal(e[0], 0);
		assert_int_equal(e[1], 8);
		assert_int_equal(e[2], v);
		assert_int_equal(e[3], ACPI_LAPIC_ID(v));
		assert_int_equal(get32(e + 4), v < online ? 1 : 0);
	}
	free(buf);
}

static void
test_refusals(void **state)
{
	uint8_t *buf = malloc(acpi_size(129));

	(void)state;
	assert_non_null(buf);
	assert_int_equal(acpi_build(buf, acpi_size(2) - 1, BASE, 2, 1), 0);
	assert_int_equal(acpi_build(buf, acpi_size(129), BASE, 129, 1), 0);
	assert_int_equal(acpi_build(buf, acpi_size(2), BASE, 0, 0), 0);
	assert_int_equal(acpi_build(buf, acpi_size(2), BASE, 2, 0), 0);
	assert_int_equal(acpi_build(buf, acpi_size(2), BASE, 2, 3), 0);
	assert_int_equal(acpi_build(buf, acpi_size(2), 0xFFFFFF00ULL, 2, 1), 0);
	assert_int_equal(acpi_build(buf, acpi_size(128), BASE, 128, 128),
			 acpi_size(128));
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
