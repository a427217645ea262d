// Text from a peer, made safe to show on a terminal. The CLI prints it and the Python module
// raises it in exception messages; both go through here.
#ifndef VELLUM_COMMON_PRINTABLE_H_
#define VELLUM_COMMON_PRINTABLE_H_

#include <string>
#include <string_view>

namespace vellum {

// `text` with terminal control characters (ESC and the rest of C0 and C1 but tab and newline,
// and DEL) shown as \xNN, so text from a peer cannot drive the user's terminal, and the
// bidirectional controls that reorder what is around them (U+202A..U+202E, U+2066..U+2069)
// shown as \uNNNN, so that it cannot make text read as other text.
std::string Printable(std::string_view text);

}  // namespace vellum

#endif  // VELLUM_COMMON_PRINTABLE_H_
