// Package names reads people's names as Swedish mail writes them: folded
// to compare (å/ä/ö as a/a/o), a name that agrees with its address, the
// better of a display name and a signature, å/ä/ö restored from the text,
// the workplace a sentence names and the domain of an address.
//
// It imports only message and the standard library; understand/reading
// and understand import it.
package names
