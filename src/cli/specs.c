/* `tucai specs [--json] [--file SPECS.json] [NAME]`: the photo specs, from
 * photo's public interface. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tc_cli.h"
#include "../spec/tc_spec.h"

static void print_range(const char *label, const tc_spec_range *r)
{
    if (r->has_lo && r->has_hi)
        printf("  %-10s %g–%g px\n", label, r->lo, r->hi);
    else if (r->has_lo)
        printf("  %-10s ≥ %g px\n", label, r->lo);
    else if (r->has_hi)
        printf("  %-10s ≤ %g px\n", label, r->hi);
}

int tc_cli_specs(int argc, char **argv)
{
    int as_json = 0;
    const char *file = NULL, *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            as_json = 1;
        else if (!strcmp(argv[i], "--file") && i + 1 < argc)
            file = argv[++i];
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: tucai specs [--json] [--file SPECS.json] [NAME]\n"
                   "Prints the photo specs (built-in, then those of SPECS.json, which may add\n"
                   "specs or patch built-in ones, e.g. [{\"name\":\"chsi\",\"kb\":[30,100]}]).\n");
            return 0;
        } else if (argv[i][0] != '-')
            only = argv[i];
        else {
            fprintf(stderr, "tucai specs: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    tc_spec_table t;
    tc_spec_table_builtin(&t);
    tc_err e = {0};
    if (file && tc_spec_table_load_file(&t, file, &e) != 0) {
        fprintf(stderr, "tucai specs: %s: %s\n", e.code, e.zh);
        tc_spec_table_free(&t);
        return 1;
    }
    int found = 0;
    if (as_json)
        printf("[");
    for (size_t i = 0; i < t.n; i++) {
        const tc_spec *s = &t.v[i];
        if (only && strcmp(only, s->name))
            continue;
        if (as_json) {
            char *j = tc_spec_to_json(s);
            printf("%s%s", found ? ",\n" : "\n", j);
            free(j);
        } else {
            printf("%-12s %s  %dx%d px, %.1fx%.1f mm @ %g dpi\n", s->name, s->zh, s->width, s->height,
                   tc_spec_width_mm(s), tc_spec_height_mm(s), s->dpi);
            printf("  %-10s", "background");
            for (int b = 0; b < s->n_bg; b++)
                printf(" %s%s(%s #%02X%02X%02X)", b == s->default_bg ? "*" : "", s->bg[b].name, s->bg[b].zh,
                       s->bg[b].rgb[0], s->bg[b].rgb[1], s->bg[b].rgb[2]);
            printf("\n");
            print_range("hair top", &s->hair_top);
            print_range("eye line", &s->eye_line);
            print_range("face width", &s->face_width);
            if (s->kb_max)
                printf("  %-10s %d–%d KB\n", "file", s->kb_min, s->kb_max);
            else if (s->kb_min)
                printf("  %-10s ≥ %d KB\n", "file", s->kb_min);
        }
        found++;
    }
    if (as_json)
        printf("\n]\n");
    tc_spec_table_free(&t);
    if (only && !found) {
        fprintf(stderr, "tucai specs: no spec named %s\n", only);
        return 1;
    }
    return 0;
}
