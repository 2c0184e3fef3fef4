package referral

import _ "embed"

// cjkFont is WenQuanYi Micro Hei (Apache-2.0 or GPL-3+ with font exception), extracted as a single
// TrueType font from Debian's fonts-wqy-microhei TTC. It carries both CJK and Latin glyphs, so a line
// like "涉案金额 ¥1,234.50" renders in one font; fpdf embeds the glyphs used into each PDF, so the
// report opens on a machine with no Chinese fonts installed.
//
//go:embed font/wqy-microhei.ttf
var cjkFont []byte
