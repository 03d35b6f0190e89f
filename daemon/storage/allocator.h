// Process-wide allocator settings for a RocksDB write path.
#pragma once

namespace aigov::storage {

// Tells glibc's malloc to keep freed memory for reuse instead of handing it
// back to the kernel. RocksDB builds each memtable from 8 MiB arena blocks
// and frees them all after every flush; by default glibc unmaps (or trims)
// that memory, and the next memtable faults every page back in, one 4 KiB
// fault per page, on the sequencer thread. Allocations up to 32 MiB come
// from the heap, and up to 256 MiB of free heap is kept before trimming, so
// the resident size stays near the peak of the memtables. Measured on the
// append benchmark: ~35 % fewer page faults and 6-10 % more entries/s
// (docs/PERFORMANCE.md).
//
// Call once at startup, before other threads start. Returns false when the
// C library rejects a setting (the process runs on with its defaults).
bool KeepFreedMemoryForReuse();

}  // namespace aigov::storage
