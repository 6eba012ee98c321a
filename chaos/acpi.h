/*
 * acpi.h: the few ACPI tables a PVH guest needs to find its vCPUs.
 *
 * A PVH guest has no firmware: the toolstack hands it ACPI tables and
 * start_info's rsdp_paddr points at them.  Linux needs a FADT (which says
 * the platform is hardware-reduced: no PM timer, no legacy devices, no
 * CMOS clock, no VGA) and a MADT with one local APIC per possible vCPU;
 * the DSDT has no AML at all.  libxl builds richer tables from libacpi,
 * which it does not install; these are written here.
 */
#ifndef CHAOS_ACPI_H
#define CHAOS_ACPI_H

#include <stddef.h>
#include <stdint.h>

/* Where libxl puts them too: just below the 64 MiB MMIO hole's top. */
#define ACPI_TABLES_ADDR 0xFC000000ULL

/*
 * The tables for max_vcpus possible vCPUs of which the first online are
 * enabled (the others can be brought up later), laid out for the guest
 * physical address addr: the RSDP first (so rsdp_paddr = addr), then the
 * XSDT, FADT, DSDT and MADT.  Returns the bytes written into buf (at most
 * len), or 0 when len is too small or the counts are out of range.
 * acpi_size(max_vcpus) bytes are always enough.
 */
size_t acpi_build(uint8_t *buf, size_t len, uint64_t addr, unsigned max_vcpus,
		  unsigned online);

size_t acpi_size(unsigned max_vcpus);

/* The local APIC id of vCPU v, as Xen numbers them for HVM guests. */
#define ACPI_LAPIC_ID(v) (2 * (v))

#endif
