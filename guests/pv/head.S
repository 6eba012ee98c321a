/*
 * head.S: entry point and ELF notes of chaos's tiny x86_64 PV guests.
 *
 * Xen enters _start with rsi = start_info (a VA), events masked, on a stack
 * the builder made; we switch to our own and call pv_main(start_info).
 */
#include <xen/elfnote.h>

#define NOTE(type, kind, value)                 \
	.pushsection .note.Xen, "a", @note;     \
	.align 4;                               \
	.long 2f - 1f;                          \
	.long 4f - 3f;                          \
	.long type;                             \
1:	.asciz "Xen";                           \
2:	.align 4;                               \
3:	kind value;                             \
4:	.align 4;                               \
	.popsection

	NOTE(XEN_ELFNOTE_GUEST_OS, .asciz, "chaos-guest")
	NOTE(XEN_ELFNOTE_LOADER, .asciz, "generic")
	NOTE(XEN_ELFNOTE_XEN_VERSION, .asciz, "xen-3.0")
	NOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad, hypercall_page)
	NOTE(XEN_ELFNOTE_VIRT_BASE, .quad, 0)
	NOTE(XEN_ELFNOTE_PADDR_OFFSET, .quad, 0)
	NOTE(XEN_ELFNOTE_ENTRY, .quad, _start)
	NOTE(XEN_ELFNOTE_PAE_MODE, .asciz, "yes")
	NOTE(XEN_ELFNOTE_FEATURES, .asciz, "!writable_page_tables|pae_pgdir_above_4gb")
	/* a cancelled suspend returns 1 in the same domain (pv_suspend) */
	NOTE(XEN_ELFNOTE_SUSPEND_CANCEL, .long, 1)

	/* our own note: this kernel speaks noxs version 1 (libnoxs/noxs.h:
	 * name NOXS_ELFNOTE_NAME, type NOXS_ELFNOTE_NOXS, desc NOXS_VERSION) */
	.pushsection .note.chaos, "a", @note
	.align 4
	.long 6			/* namesz: "chaos" and its NUL */
	.long 4			/* descsz */
	.long 1			/* NOXS_ELFNOTE_NOXS */
	.asciz "chaos"
	.align 4
	.long 1			/* NOXS_VERSION */
	.popsection

	.section .text.head, "ax"
	.code64
	.globl _start
_start:
	cld
	lea	stack_top(%rip), %rsp
	mov	%rsi, %rdi
	call	pv_main
	ud2

	/* Xen writes the hypercall stubs here: stub n at hypercall_page + 32n */
	.align 4096
	.globl hypercall_page
hypercall_page:
	.fill 4096, 1, 0xcc

	.bss
	.align 16
stack:
	.skip 16384
stack_top:
