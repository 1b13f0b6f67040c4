// Reads a whole file into memory, refusing files past a size limit, so a wrong path (a device, a
// huge log) fails with one clear line instead of eating all memory.
#pragma once

#include <cstddef>
#include <string>

namespace treedoc::sim {

// Returns the bytes of `path`. Throws InputError(path, "", ...) when the file cannot be opened or
// read, is not a regular file (a FIFO, socket or device: refused before it is opened), or holds
// more than `bytes_max` bytes (a regular file: refused before it is read); `limit_text` names the
// limit in that message, e.g. "16 MiB limit for scenario files".
std::string read_file_bounded(const std::string& path, size_t bytes_max,
                              const std::string& limit_text);

}  // namespace treedoc::sim
