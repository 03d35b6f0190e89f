#include "daemon/storage/allocator.h"

#include <sys/resource.h>

#include <cstddef>
#include <cstring>
#include <memory>

#include "gtest/gtest.h"

namespace aigov::storage {
namespace {

long MinorFaults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

// Allocates, touches every page of and frees a block the size of a
// memtable arena block.
void TouchBlock() {
  constexpr size_t kBlock = 8 << 20;
  std::unique_ptr<char[]> block(new char[kBlock]);
  std::memset(block.get(), 1, kBlock);
  // Keeps the writes from being optimized away.
  ASSERT_EQ(block[kBlock - 1], 1);
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitizedMalloc = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitizedMalloc = true;
#else
constexpr bool kSanitizedMalloc = false;
#endif
#else
constexpr bool kSanitizedMalloc = false;
#endif

TEST(AllocatorTest, AFreedBlockIsReusedWithoutFaultingItsPagesBackIn) {
  if (kSanitizedMalloc) {
    GTEST_SKIP() << "AddressSanitizer replaces malloc; mallopt has no effect";
  }
  ASSERT_TRUE(KeepFreedMemoryForReuse());
  TouchBlock();  // faults the block in once
  const long before = MinorFaults();
  TouchBlock();
  const long faults = MinorFaults() - before;
  // Unmapped and mapped again, the block would fault in 2048 pages.
  EXPECT_LT(faults, 256) << faults << " page faults for a reused block";
}

}  // namespace
}  // namespace aigov::storage
