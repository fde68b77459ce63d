// Escaping text for XML and HTML: the one function behind the SVG writer and Jinja's `escape`.
#pragma once

#include <string>
#include <string_view>

namespace densing {

// &, <, >, " and ' as &amp; &lt; &gt; &#34; &#39; — byte for byte what Jinja's escape filter
// (MarkupSafe) writes, and valid in XML attributes and text alike. Other bytes pass unchanged.
std::string EscapeMarkup(std::string_view text);

}  // namespace densing
