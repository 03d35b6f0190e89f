#include "daemon/server/http_body.h"

#include <zlib.h>

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

#include "daemon/common/json.h"

namespace aigov::server {
namespace {

// zlib's windowBits for a gzip wrapper only.
constexpr int kGzipWindowBits = 15 + 16;

}  // namespace

absl::StatusOr<std::string> DecodeBody(absl::string_view encoding,
                                       std::string body, size_t limit) {
  const std::string e =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(encoding));
  if (e.empty() || e == "identity") {
    if (body.size() > limit) {
      return absl::ResourceExhaustedError(
          absl::StrCat("body larger than ", limit,
                       " bytes; split it into several requests"));
    }
    return body;
  }
  if (e != "gzip" && e != "x-gzip") {
    return absl::UnimplementedError(
        absl::StrCat("Content-Encoding \"", common::EscapeForMessage(encoding),
                     "\" is not supported; send the body as is or with "
                     "Content-Encoding: gzip"));
  }
  z_stream z{};
  if (inflateInit2(&z, kGzipWindowBits) != Z_OK) {
    return absl::InternalError("zlib: inflateInit2 failed");
  }
  std::string out;
  char chunk[16384];
  z.next_in = reinterpret_cast<Bytef*>(body.data());
  z.avail_in = static_cast<uInt>(body.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof(chunk);
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      const std::string why = z.msg != nullptr ? z.msg : "truncated";
      inflateEnd(&z);
      return absl::InvalidArgumentError(
          absl::StrCat("body is not valid gzip (", why, ")"));
    }
    const size_t produced = sizeof(chunk) - z.avail_out;
    if (out.size() + produced > limit) {
      inflateEnd(&z);
      return absl::ResourceExhaustedError(
          absl::StrCat("gzip body inflates to more than ", limit,
                       " bytes; split it into several requests"));
    }
    out.append(chunk, produced);
    if (rc == Z_OK && z.avail_in == 0 && produced == 0) {
      inflateEnd(&z);
      return absl::InvalidArgumentError(
          "body is not valid gzip (it ends before the gzip stream does)");
    }
  }
  const bool trailing = z.avail_in != 0;
  inflateEnd(&z);
  if (trailing) {
    return absl::InvalidArgumentError(
        "body is not valid gzip (bytes follow the end of the gzip stream)");
  }
  return out;
}

std::string GzipForTest(absl::string_view data) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8,
               Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace aigov::server
