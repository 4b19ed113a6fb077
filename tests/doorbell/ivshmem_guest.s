/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A guest of a few instructions for test_ivshmem_srv (multiboot, 32-bit,
 * loaded by QEMU's -kernel after SeaBIOS assigned the PCI BARs): finds the
 * ivshmem device (1af4:1110) on bus 0, prints on the debug console (port
 * 0xe9) its IVPosition as a digit, 'P' when BAR 2's first word is the
 * pattern the host wrote (else 'X', 'H' when BAR 2 is above 4 GiB), then
 * rings peer 0 vector 0 through the doorbell register and prints 'D'.
 */
	.code32
	.text
	.globl _start
	.align 4
mb_header:
	.long 0x1badb002		/* multiboot magic */
	.long 0				/* flags: an ELF, nothing else wanted */
	.long -0x1badb002		/* checksum */

_start:
	cli
	mov $0x80000000, %ebx		/* config address: bus 0, device 0, register 0 */
scan:
	mov %ebx, %eax
	mov $0xcf8, %dx
	outl %eax, %dx
	mov $0xcfc, %dx
	inl %dx, %eax
	cmp $0x11101af4, %eax		/* device 1110, vendor 1af4 */
	je found
	add $0x800, %ebx
	cmp $0x80010000, %ebx
	jb scan
	mov $'N', %al
	outb %al, $0xe9
	jmp halt
found:
	lea 4(%ebx), %eax		/* command: enable memory space */
	mov $0xcf8, %dx
	outl %eax, %dx
	mov $0xcfc, %dx
	inl %dx, %eax
	or $0x2, %eax
	outl %eax, %dx
	lea 0x10(%ebx), %eax		/* BAR 0: registers */
	mov $0xcf8, %dx
	outl %eax, %dx
	mov $0xcfc, %dx
	inl %dx, %eax
	and $0xfffffff0, %eax
	mov %eax, %esi
	mov 8(%esi), %eax		/* IVPosition */
	add $'0', %al
	outb %al, $0xe9
	lea 0x1c(%ebx), %eax		/* BAR 2, high half */
	mov $0xcf8, %dx
	outl %eax, %dx
	mov $0xcfc, %dx
	inl %dx, %eax
	test %eax, %eax
	jnz high
	lea 0x18(%ebx), %eax		/* BAR 2, low half */
	mov $0xcf8, %dx
	outl %eax, %dx
	mov $0xcfc, %dx
	inl %dx, %eax
	and $0xfffffff0, %eax
	mov (%eax), %eax
	cmp $0x43494e42, %eax
	jne bad
	mov $'P', %al
	jmp said
high:
	mov $'H', %al
	jmp said
bad:
	mov $'X', %al
said:
	outb %al, $0xe9
	movl $0x00000000, 12(%esi)	/* doorbell: peer 0, vector 0 */
	mov $'D', %al
	outb %al, $0xe9
halt:
	hlt
	jmp halt
