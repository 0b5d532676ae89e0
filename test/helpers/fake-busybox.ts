// A small stand-in for a busybox binary: an ELF-looking head and a sorted,
// NUL-separated applet table opening with "[", "[[", as busybox's
// applet_names[] does (https://git.busybox.net/busybox/tree/applets/applet_tables.c).
export function fakeBusybox(applets: readonly string[]): Buffer {
  const names = [...new Set(["[", "[[", ...applets])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.concat([
    Buffer.from("\x7fELF\x02\x01\x01\0\0\0\0junk\x01\x02\x03\0", "latin1"),
    Buffer.from("\0BusyBox v1.36.1 multi-call binary.\0\0"),
    Buffer.from(names.join("\0") + "\0\0"),
    Buffer.from("\0\0\xff\xfe more junk \0", "latin1"),
  ]);
}
