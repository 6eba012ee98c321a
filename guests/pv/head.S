/*
 * head.S: entry points and ELF notes of chaos's tiny x86_64 guests.
 *
 * As PV, Xen enters _start with rsi = start_info (a VA), events masked, on
 * a stack the builder made; we switch to our own and call
 * pv_main(start_info).  As PVH, Xen enters pvh_start in 32-bit protected
 * mode without paging, ebx = the hvm_start_info's physical address; we
 * identity-map the first 4 GiB (the special pages, console and store,
 * sit just below 4 GiB), enter long mode and call pvh_main(that address).
 * The image runs at 1 MiB either way, VA == PA under PVH.
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
	/* the same image boots as PVH: entered at pvh_start (see below) */
	NOTE(XEN_ELFNOTE_PHYS32_ENTRY, .long, pvh_start)

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

	.code32
	.globl pvh_start
pvh_start:
	cld
	mov	%ebx, %esi
	/* pml4[0] -> pdpt; pdpt[0..3] -> the 4 pages of pd; pd: 2048
	 * 2 MiB pages (the tables are .bss: zero, so the high halves are) */
	movl	$pdpt + 3, pml4
	mov	$pd + 3, %eax
	xor	%ecx, %ecx
1:	mov	%eax, pdpt(, %ecx, 8)
	add	$4096, %eax
	inc	%ecx
	cmp	$4, %ecx
	jne	1b
	xor	%ecx, %ecx
2:	mov	%ecx, %eax
	shl	$21, %eax
	or	$0x83, %eax		/* present, writable, 2 MiB */
	mov	%eax, pd(, %ecx, 8)
	inc	%ecx
	cmp	$2048, %ecx
	jne	2b
	mov	$pml4, %eax
	mov	%eax, %cr3
	mov	%cr4, %eax
	or	$0x20, %eax		/* PAE */
	mov	%eax, %cr4
	mov	$0xC0000080, %ecx	/* EFER */
	rdmsr
	or	$0x100, %eax		/* LME */
	wrmsr
	mov	%cr0, %eax
	or	$0x80000001, %eax	/* PG, PE */
	mov	%eax, %cr0
	lgdt	gdt_desc
	ljmp	$0x08, $pvh_long

	.code64
pvh_long:
	mov	$0x10, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	lea	stack_top(%rip), %rsp
	mov	%esi, %edi
	call	pvh_main
	ud2

	.align 16
gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: data */
gdt_desc:
	.word	gdt_desc - gdt - 1
	.long	gdt

	/* Xen writes the hypercall stubs here: stub n at hypercall_page + 32n */
	.align 4096
	.globl hypercall_page
hypercall_page:
	.fill 4096, 1, 0xcc

	.bss
	.align 4096
pml4:
	.skip 4096
pdpt:
	.skip 4096
pd:
	.skip 4 * 4096

	.align 16
stack:
	.skip 16384
stack_top:
