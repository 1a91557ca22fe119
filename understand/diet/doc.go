// Package diet finds the diets a text names: by their nouns ("vegetarisk",
// "glutenfri", "allergisk mot nötter"), as what a person does not eat or
// tolerate ("hon äter inte fläsk"), as a condition ("diabetiker") or as
// the food a person needs ("mat utan socker"), each with its place in the
// text so that a reader can bind it to the person its clause is about.
//
// It imports only message and the standard library; understand/reading
// and understand import it.
package diet
