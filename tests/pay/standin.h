/* Test helper shared by tests/unit/test_pay.c and test_notify.c: start a
 * Node stand-in server and read the one JSON line it prints.  The child's
 * stdin is a pipe we hold: closing it (standin_stop) makes it exit, and if
 * the test dies the pipe closes anyway, so no server outlives its test. */
#ifndef TC_TEST_STANDIN_H
#define TC_TEST_STANDIN_H

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    pid_t pid;
    int in_fd;      /* the child's stdin */
    json_t *info;   /* its JSON line */
} standin;

static inline int node_available(void)
{
    return system("node --version >/dev/null 2>&1") == 0;
}

/* script: path relative to the source root (TC_SRCDIR). */
static inline int standin_start(standin *s, const char *script, const char *arg)
{
    memset(s, 0, sizeof *s);
    int in[2], out[2];
    if (pipe(in) || pipe(out))
        return -1;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", TC_SRCDIR, script);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        execlp("node", "node", path, arg, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    s->pid = pid;
    s->in_fd = in[1];
    char line[8192];
    size_t n = 0;
    while (n < sizeof line - 1) {
        ssize_t r = read(out[0], line + n, 1);
        if (r <= 0 || line[n] == '\n')
            break;
        n++;
    }
    line[n] = 0;
    close(out[0]);
    s->info = json_loads(line, 0, NULL);
    return s->info ? 0 : -1;
}

static inline void standin_stop(standin *s)
{
    if (s->in_fd > 0)
        close(s->in_fd);
    if (s->pid > 0) {
        int st;
        for (int i = 0; i < 50; i++) {
            if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
                s->pid = 0;
                break;
            }
            usleep(100000);
        }
        if (s->pid > 0) {
            kill(s->pid, SIGTERM);
            waitpid(s->pid, &st, 0);
        }
    }
    json_decref(s->info);
    memset(s, 0, sizeof *s);
}

static inline const char *standin_str(standin *s, const char *k)
{
    return json_string_value(json_object_get(s->info, k));
}

static inline int standin_port(standin *s)
{
    return (int)json_integer_value(json_object_get(s->info, "port"));
}

#include <curl/curl.h>

static inline size_t standin_write(char *p, size_t sz, size_t n, void *u)
{
    json_t **acc = u;
    const char *old = json_string_value(*acc);
    size_t ol = old ? strlen(old) : 0;
    char *b = malloc(ol + sz * n + 1);
    memcpy(b, old ? old : "", ol);
    memcpy(b + ol, p, sz * n);
    b[ol + sz * n] = 0;
    json_decref(*acc);
    *acc = json_string(b);
    free(b);
    return sz * n;
}

/* POST (body != NULL) or GET a control URL on 127.0.0.1:port; returns the
 * parsed JSON answer (caller decrefs) or NULL. */
static inline json_t *standin_call(int port, const char *path, const char *body)
{
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CURL *c = curl_easy_init();
    json_t *acc = json_string("");
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, standin_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &acc);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    json_t *j = rc == CURLE_OK ? json_loads(json_string_value(acc), 0, NULL) : NULL;
    json_decref(acc);
    return j;
}

#endif
