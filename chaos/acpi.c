/*
 * acpi.c: RSDP, XSDT, FADT, DSDT and MADT for a PVH guest, byte by byte
 * (ACPI 5.0 layouts, little-endian; see acpi.h for why these five).
 */
#include <string.h>

#include "acpi.h"

/* offsets of the tables in the blob; the MADT grows with the vCPUs */
enum {
	RSDP_OFF = 0,
	RSDP_LEN = 36,
	XSDT_OFF = 64,
	XSDT_LEN = 36 + 2 * 8, /* FADT, MADT */
	FADT_OFF = 128,
	FADT_LEN = 268,
	DSDT_OFF = 400,
	DSDT_LEN = 36, /* a definition block with no AML */
	MADT_OFF = 448,
	MADT_HDR = 44,
	LAPIC_LEN = 8,
	MAX_LAPIC = 128, /* 8-bit APIC ids, two apart */
};

#define FADT_F_WBINVD	  (1u << 0)
#define FADT_F_HW_REDUCED (1u << 20)
#define BOOT_NO_VGA	  (1u << 2)
#define BOOT_NO_CMOS_RTC  (1u << 5)
#define LAPIC_ADDR	  0xFEE00000u

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* the byte that makes the len bytes at p sum to zero */
static uint8_t
checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len-- > 0)
		sum = (uint8_t)(sum + *p++);
	return (uint8_t)(0 - sum);
}

/* a table's common header; its checksum is set once the body is in */
static void
header(uint8_t *t, const char sig[4], uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "CHAOS ", 6);
	memcpy(t + 16, "CHAOSPVH", 8);
	put32(t + 24, 1);	   /* OEM revision */
	memcpy(t + 28, "CHAO", 4); /* creator */
	put32(t + 32, 1);
}

static void
seal(uint8_t *t, uint32_t len)
{
	t[9] = 0;
	t[9] = checksum(t, len);
}

size_t
acpi_size(unsigned max_vcpus)
{
	return MADT_OFF + MADT_HDR + (size_t)max_vcpus * LAPIC_LEN;
}

size_t
acpi_build(uint8_t *buf, size_t len, uint64_t addr, unsigned max_vcpus,
	   unsigned online)
{
	uint8_t *rsdp = buf + RSDP_OFF, *xsdt = buf + XSDT_OFF;
	uint8_t *fadt = buf + FADT_OFF, *dsdt = buf + DSDT_OFF;
	uint8_t *madt = buf + MADT_OFF, *e;
	uint32_t madt_len = MADT_HDR + max_vcpus * LAPIC_LEN;
	size_t total = acpi_size(max_vcpus);
	unsigned v;

	if (max_vcpus == 0 || max_vcpus > MAX_LAPIC || online == 0 ||
	    online > max_vcpus || len < total || addr > UINT32_MAX - total)
		return 0;
	memset(buf, 0, total);

	/* RSDP 2.0: the 32-bit RSDT address stays 0, the XSDT names all */
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "CHAOS ", 6);
	rsdp[15] = 2;
	put32(rsdp + 20, RSDP_LEN);
	put64(rsdp + 24, addr + XSDT_OFF);
	rsdp[8] = checksum(rsdp, 20);
	rsdp[32] = checksum(rsdp, RSDP_LEN);

	header(xsdt, "XSDT", XSDT_LEN, 1);
	put64(xsdt + 36, addr + FADT_OFF);
	put64(xsdt + 44, addr + MADT_OFF);
	seal(xsdt, XSDT_LEN);

	header(fadt, "FACP", FADT_LEN, 5);
	put32(fadt + 40, (uint32_t)(addr + DSDT_OFF));
	put16(fadt + 109, BOOT_NO_VGA | BOOT_NO_CMOS_RTC);
	put32(fadt + 112, FADT_F_WBINVD | FADT_F_HW_REDUCED);
	fadt[131] = 1; /* FADT minor version: 5.1 */
	put64(fadt + 140, addr + DSDT_OFF);
	seal(fadt, FADT_LEN);

	header(dsdt, "DSDT", DSDT_LEN, 2);
	seal(dsdt, DSDT_LEN);

	header(madt, "APIC", madt_len, 3);
	put32(madt + 36, LAPIC_ADDR);
	put32(madt + 40, 0); /* no 8259s */
	for (v = 0; v < max_vcpus; v++) {
		e = madt + MADT_HDR + v * LAPIC_LEN;
		e[0] = 0; /* processor local APIC */
		e[1] = LAPIC_LEN;
		e[2] = (uint8_t)v;
		e[3] = (uint8_t)ACPI_LAPIC_ID(v);
		put32(e + 4, v < online ? 1 : 0); /* enabled */
	}
	seal(madt, madt_len);
	return total;
}
