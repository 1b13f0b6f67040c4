// The folders an output file goes into, made before it is opened (`--csv out/rows.csv` in a
// fresh checkout): shared by every command that writes a file the user names.
#pragma once

#include <string>

namespace treedoc::sim {

// Makes the folders of `path` that are missing. A folder that cannot be made is not reported
// here: opening the file then fails, and its caller says so, naming the file.
void make_parent_folders(const std::string& path);

}  // namespace treedoc::sim
