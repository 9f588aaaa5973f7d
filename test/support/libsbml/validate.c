/*
 * Test tooling: validate an SBML file with libSBML and print its diagnostics as JSON lines.
 *
 *   validate FILE      (FILE "-" or no argument: read the document from stdin)
 *
 * Runs every consistency category libSBML's SBMLDocument_checkConsistency knows (general, identifier,
 * units, MathML, SBO, overdetermined model, modeling practice) after the reader's own XML / schema
 * checks, and prints one JSON object per diagnostic:
 *
 *   {"severity":"error","id":10501,"category":"Units consistency","line":12,"column":8,"message":"..."}
 *
 * The last line is a summary {"summary":true,"errors":E,"warnings":W,"infos":I,"libsbml":"5.19.7"}.
 * Exit status: 0 no errors (warnings allowed), 1 at least one error or fatal, 2 usage or I/O failure.
 * Built and run by test/support/libsbml/index.ts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sbml/SBMLTypes.h>

/* Writes s as a JSON string literal (escapes quotes, backslashes and control characters). */
static void json_string(const char *s) {
  putchar('"');
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    switch (*p) {
    case '"': fputs("\\\"", stdout); break;
    case '\\': fputs("\\\\", stdout); break;
    case '\n': fputs("\\n", stdout); break;
    case '\r': fputs("\\r", stdout); break;
    case '\t': fputs("\\t", stdout); break;
    default:
      if (*p < 0x20) printf("\\u%04x", *p);
      else putchar(*p);
    }
  }
  putchar('"');
}

static const char *severity_name(unsigned int sev) {
  switch (sev) {
  case LIBSBML_SEV_INFO: return "info";
  case LIBSBML_SEV_WARNING: return "warning";
  case LIBSBML_SEV_ERROR: return "error";
  case LIBSBML_SEV_FATAL: return "fatal";
  default: return "error"; /* schema errors and anything unknown count as errors */
  }
}

static char *read_stream(FILE *f) {
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  if (!buf) return NULL;
  size_t n;
  while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if (cap - len - 1 == 0) {
      cap *= 2;
      char *b = realloc(buf, cap);
      if (!b) { free(buf); return NULL; }
      buf = b;
    }
  }
  buf[len] = '\0';
  return buf;
}

int main(int argc, char **argv) {
  if (argc > 2) {
    fprintf(stderr, "usage: %s [FILE|-]\n", argv[0]);
    return 2;
  }
  SBMLDocument_t *doc;
  if (argc == 1 || strcmp(argv[1], "-") == 0) {
    char *text = read_stream(stdin);
    if (!text) { fprintf(stderr, "validate: cannot read stdin\n"); return 2; }
    doc = readSBMLFromString(text);
    free(text);
  } else {
    FILE *f = fopen(argv[1], "rb");
    if (!f) { fprintf(stderr, "validate: cannot open %s\n", argv[1]); return 2; }
    fclose(f);
    doc = readSBML(argv[1]);
  }
  if (!doc) { fprintf(stderr, "validate: libSBML returned no document\n"); return 2; }

  /* All categories on (they are on by default; set explicitly so a libSBML default change cannot
     silently drop one). Units consistency included: exoniche exports declare units, so its
     findings are real. */
  const SBMLErrorCategory_t cats[] = {
      LIBSBML_CAT_GENERAL_CONSISTENCY, LIBSBML_CAT_IDENTIFIER_CONSISTENCY, LIBSBML_CAT_UNITS_CONSISTENCY,
      LIBSBML_CAT_MATHML_CONSISTENCY,  LIBSBML_CAT_SBO_CONSISTENCY,        LIBSBML_CAT_OVERDETERMINED_MODEL,
      LIBSBML_CAT_MODELING_PRACTICE,
  };
  for (size_t k = 0; k < sizeof cats / sizeof cats[0]; k++) SBMLDocument_setConsistencyChecks(doc, cats[k], 1);

  /* The read errors stay in the log; checkConsistency appends its own (it skips the semantic
     checks when reading already failed). */
  SBMLDocument_checkConsistency(doc);

  unsigned int errors = 0, warnings = 0, infos = 0;
  const unsigned int n = SBMLDocument_getNumErrors(doc);
  for (unsigned int k = 0; k < n; k++) {
    const XMLError_t *e = (const XMLError_t *)SBMLDocument_getError(doc, k);
    const unsigned int sev = XMLError_getSeverity(e);
    const char *name = severity_name(sev);
    if (sev == LIBSBML_SEV_INFO) infos++;
    else if (sev == LIBSBML_SEV_WARNING) warnings++;
    else errors++;
    printf("{\"severity\":\"%s\",\"id\":%u,\"category\":", name, XMLError_getErrorId(e));
    json_string(XMLError_getCategoryAsString(e));
    printf(",\"line\":%u,\"column\":%u,\"message\":", XMLError_getLine(e), XMLError_getColumn(e));
    json_string(XMLError_getMessage(e));
    fputs("}\n", stdout);
  }
  printf("{\"summary\":true,\"errors\":%u,\"warnings\":%u,\"infos\":%u,\"libsbml\":", errors, warnings, infos);
  json_string(getLibSBMLDottedVersion());
  fputs("}\n", stdout);
  SBMLDocument_free(doc);
  return errors ? 1 : 0;
}
