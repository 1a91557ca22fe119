package config

import (
	"encoding"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"
)

// decode stores raw, the value the TOML parser produced at path, into v. It
// is the toml package's decoding done by hand, because that one stops at the
// first value of the wrong type and its Undecoded keys lose the index of the
// [[events]] table they are in; this one reports every unknown key and every
// wrong type with its full path and goes on.
func (ck *checker) decode(path string, raw any, v reflect.Value) {
	if u, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		s, ok := raw.(string)
		if !ok {
			ck.invalid(path, "want a string, not %s", tomlTypeName(raw))
			return
		}
		if err := u.UnmarshalText([]byte(s)); err != nil {
			ck.invalid(path, "%v", err)
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		tbl, ok := raw.(map[string]any)
		if !ok {
			ck.invalid(path, "want a table ([%s]), not %s", path, tomlTypeName(raw))
			return
		}
		ck.decodeTable(path, tbl, v)
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			ck.invalid(path, "cannot decode into %s", v.Type())
			return
		}
		tbl, ok := raw.(map[string]any)
		if !ok {
			ck.invalid(path, "want a table ([%s]), not %s", path, tomlTypeName(raw))
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), len(tbl))
		for _, k := range sortedKeys(tbl) {
			elem := reflect.New(v.Type().Elem()).Elem()
			ck.decode(joinKey(path, k), tbl[k], elem)
			m.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), elem)
		}
		v.Set(m)
	case reflect.Slice:
		rv := reflect.ValueOf(raw)
		if rv.Kind() != reflect.Slice {
			if v.Type().Elem().Kind() == reflect.Struct {
				ck.invalid(path, "want an array of tables ([[%s]]), not %s", path, tomlTypeName(raw))
			} else {
				ck.invalid(path, "want an array, not %s", tomlTypeName(raw))
			}
			return
		}
		s := reflect.MakeSlice(v.Type(), rv.Len(), rv.Len())
		for i := range rv.Len() {
			ck.decode(fmt.Sprintf("%s[%d]", path, i), rv.Index(i).Interface(), s.Index(i))
		}
		v.Set(s)
	case reflect.String:
		switch x := raw.(type) {
		case string:
			v.SetString(x)
		case time.Time:
			// TOML 1.1 lets a date or date-time be written unquoted; take
			// the local ones as the strings they would be when quoted. The
			// toml package marks them with these zone names.
			switch x.Location().String() {
			case "date-local":
				v.SetString(x.Format(time.DateOnly))
			case "datetime-local":
				v.SetString(x.Format(time.DateTime))
			default:
				ck.invalid(path, "want a local date and time such as \"2018-12-11 13:00\", read in timezone; not a time with a zone or without a date")
			}
		default:
			ck.invalid(path, "want a string, not %s", tomlTypeName(raw))
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := raw.(int64)
		if !ok {
			ck.invalid(path, "want an integer, not %s", tomlTypeName(raw))
			return
		}
		if v.OverflowInt(n) {
			ck.invalid(path, "%d is too large", n)
			return
		}
		v.SetInt(n)
	case reflect.Pointer:
		// An optional value whose absence differs from its zero value.
		elem := reflect.New(v.Type().Elem())
		ck.decode(path, raw, elem.Elem())
		v.Set(elem)
	case reflect.Bool:
		b, ok := raw.(bool)
		if !ok {
			ck.invalid(path, "want true or false, not %s", tomlTypeName(raw))
			return
		}
		v.SetBool(b)
	case reflect.Float32, reflect.Float64:
		switch x := raw.(type) {
		case float64:
			v.SetFloat(x)
		case int64:
			v.SetFloat(float64(x))
		default:
			ck.invalid(path, "want a number, not %s", tomlTypeName(raw))
		}
	default:
		// A field type added to Config that this decoder does not know yet.
		ck.invalid(path, "cannot decode into %s", v.Type())
	}
}

// decodeTable decodes the TOML table tbl into the struct v, reporting keys
// that v has no field for.
func (ck *checker) decodeTable(path string, tbl map[string]any, v reflect.Value) {
	fields := tomlFields(v.Type())
	keys := sortedKeys(tbl)
	prefix := withoutIndexes(path)
	slices.SortStableFunc(keys, func(a, b string) int {
		return ck.position(joinKey(prefix, a)) - ck.position(joinKey(prefix, b))
	})
	for _, k := range keys {
		i, ok := fields[k]
		if !ok {
			ck.problemf("unknown key %q%s", joinKey(path, k), ck.suggest(path, k, fields))
			continue
		}
		ck.decode(joinKey(path, k), tbl[k], v.Field(i))
	}
}

// position returns where the key path (without indexes) first appears in
// the file, or a position after every key when it cannot be found.
func (ck *checker) position(path string) int {
	if i, ok := ck.order[path]; ok {
		return i
	}
	return len(ck.order)
}

// withoutIndexes returns path without its "[n]" parts, as the toml package
// names the keys of an array of tables.
func withoutIndexes(path string) string {
	var b strings.Builder
	skip := false
	for _, r := range path {
		switch {
		case r == '[':
			skip = true
		case r == ']':
			skip = false
		case !skip:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

// suggest returns a " (did you mean …?)" hint for the unknown key k in the
// table at path, or "".
func (ck *checker) suggest(path, k string, fields map[string]int) string {
	norm := strings.ToLower(strings.ReplaceAll(k, "-", "_"))
	best, bestDist := "", 0
	for name := range fields {
		d := EditDistance(norm, name)
		if best == "" || d < bestDist || (d == bestDist && name < best) {
			best, bestDist = name, d
		}
	}
	// Within a third of the key's length catches typos and a swapped pair
	// without proposing an unrelated key of about the same length.
	if best != "" && bestDist <= max(1, len(norm)/3) {
		return fmt.Sprintf(" (did you mean %s?)", best)
	}
	// A key written in the wrong table, most often a top-level key below a
	// [table] header, which TOML puts into that table.
	elsewhere := ck.known[norm]
	if len(elsewhere) == 0 {
		return ""
	}
	hint := fmt.Sprintf(" (did you mean %s?", strings.Join(elsewhere, " or "))
	if path != "" && slices.Contains(elsewhere, norm) {
		hint += " keys after a [table] header belong to that table: move it above the first one"
	}
	return hint + ")"
}

// knownKeys maps every key name of the struct type t (recursively) to the
// paths, under prefix, where it is valid.
func knownKeys(t reflect.Type, prefix string) map[string][]string {
	known := map[string][]string{}
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		names := tomlFields(t)
		for name, i := range names {
			path := joinKey(prefix, name)
			known[name] = append(known[name], path)
			ft := t.Field(i).Type
			if ft.Kind() == reflect.Slice {
				ft = ft.Elem()
				path += "[]"
			}
			if ft.Kind() == reflect.Struct && !reflect.PointerTo(ft).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
				walk(ft, path)
			}
		}
	}
	walk(t, prefix)
	for _, paths := range known {
		slices.Sort(paths)
	}
	return known
}

// tomlFields maps the TOML key of each field of the struct type t to the
// field's index. Fields tagged "-" or unexported are not keys.
func tomlFields(t reflect.Type) map[string]int {
	fields := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "" || name == "-" {
			continue
		}
		fields[name] = i
	}
	return fields
}

// tomlTypeName names the type of a value from the TOML parser for a message.
func tomlTypeName(raw any) string {
	switch raw.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case time.Time:
		return "a date or time"
	case map[string]any:
		return "a table"
	case []map[string]any:
		return "an array of tables"
	case []any:
		return "an array"
	default:
		return fmt.Sprintf("%T", raw)
	}
}

func joinKey(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// EditDistance returns the optimal string alignment distance between a and
// b in bytes (enough for ASCII key names): the Levenshtein distance, with two
// swapped neighbours counting as one edit, the most common typing slip.
func EditDistance(a, b string) int {
	// d[i][j] is the distance between a[:i] and b[:j].
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
