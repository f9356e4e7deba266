// memory_bomb: exhausts linear memory; for testing memory limits.
//
//   export grow()      -> memory.grow until it returns -1, then traps: first
//                         in steps of 64 pages (4 MiB), then page by page,
//                         so it ends exactly at the limit without needing
//                         tens of thousands of grow calls
//   export grow_heap() -> allocates 1 MiB arrays through the AssemblyScript
//                         allocator (keeping them reachable) until the
//                         allocator gives up, which traps
let pages: i32 = 0;
const kept: Array<Uint8Array> = [];

export function grow(): i32 {
  while (memory.grow(64) >= 0) {
    pages += 64;
  }
  while (memory.grow(1) >= 0) {
    pages++;
  }
  unreachable();
  return pages;
}

export function grow_heap(): i32 {
  while (true) {
    const block = new Uint8Array(1 << 20);
    block[0] = 1;
    block[block.length - 1] = 1;
    kept.push(block);
  }
  return kept.length;
}
