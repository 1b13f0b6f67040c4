// Size-limited whole-file reads with one-line errors.
#include "sim/base/bounded_file_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>

#include "sim/base/input_error.hpp"

namespace treedoc::sim {

namespace {

// Read size per fread: a scenario needs one read, a large file a handful.
constexpr size_t kReadChunkBytes = size_t{1} << 20;

// Message text for errno values, without the thread-unsafe std::strerror.
std::string errno_text(int error) { return std::generic_category().message(error); }

}  // namespace

std::string read_file_bounded(const std::string& path, size_t bytes_max,
                              const std::string& limit_text) {
  struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };
  // Kind and size before any read: a FIFO would block the open or the read forever, and a device
  // such as /dev/zero would be read up to the limit before being refused.
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status) &&
      !std::filesystem::is_directory(status)) {
    throw InputError(path, "", "not a regular file (a FIFO, socket or device)");
  }
  if (!ec && std::filesystem::is_regular_file(status)) {
    const uintmax_t size = std::filesystem::file_size(path, ec);
    if (!ec && size > bytes_max)
      throw InputError(path, "", "file is larger than the " + limit_text);
  }
  errno = 0;
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) throw InputError(path, "", "cannot open: " + errno_text(errno));

  std::string bytes;
  for (;;) {
    const size_t old_size = bytes.size();
    // One byte past the limit is enough to know the limit was exceeded.
    const size_t want = std::min(kReadChunkBytes, bytes_max + 1 - old_size);
    bytes.resize(old_size + want);
    errno = 0;
    const size_t got = std::fread(bytes.data() + old_size, 1, want, file.get());
    bytes.resize(old_size + got);
    if (bytes.size() > bytes_max) {
      throw InputError(path, "", "file is larger than the " + limit_text);
    }
    if (got < want) {
      // fopen() succeeds on a directory on Linux; the read then fails with EISDIR.
      if (std::ferror(file.get())) throw InputError(path, "", "cannot read: " + errno_text(errno));
      return bytes;  // end of file
    }
  }
}

}  // namespace treedoc::sim
