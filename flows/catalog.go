package flows

import "slices"

// Sectors of the organisations in a cross-sector forum; names are in locales
// as "sector.<code>".
var sectors = []string{"ngo", "csr", "gov", "philanthropy", "academia", "community", "other"}

// Sectors returns the sector codes in display order.
func Sectors() []string { return slices.Clone(sectors) }

// Provinces are Indonesia's 38 provinces by their ISO 3166-2:ID codes, in the
// conventional west-to-east order; names are in locales as "province.<code>".
var provinces = []string{
	"AC", "SU", "SB", "RI", "KR", "JA", "SS", "BB", "BE", "LA",
	"JK", "BT", "JB", "JT", "YO", "JI", "BA", "NB", "NT",
	"KB", "KT", "KS", "KI", "KU",
	"SA", "GO", "ST", "SR", "SN", "SG",
	"MA", "MU",
	"PA", "PB", "PD", "PT", "PE", "PS",
}

// Provinces returns the province codes in display order.
func Provinces() []string { return slices.Clone(provinces) }

// provinceAliases are the abbreviations people type for provinces.
var provinceAliases = map[string]string{
	"ntt": "NT", "ntb": "NB", "diy": "YO", "jogja": "YO", "jogjakarta": "YO", "yogya": "YO", "dki": "JK", "jakarta": "JK",
	"jabar": "JB", "jateng": "JT", "jatim": "JI", "sumut": "SU", "sumbar": "SB", "sumsel": "SS", "kepri": "KR", "babel": "BB",
	"kalbar": "KB", "kalteng": "KT", "kalsel": "KS", "kaltim": "KI", "kaltara": "KU", "sulut": "SA", "sulteng": "ST",
	"sulbar": "SR", "sulsel": "SN", "sultra": "SG", "malut": "MU", "pabar": "PB", "papua barat daya": "PD",
}
