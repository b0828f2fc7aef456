// libwayland-client, and the one exchange the wayland probe needs written in C: the protocol's request
// helpers are static inline functions around a variadic call, and its listeners are C function pointers.
#ifndef DOCTOR_CWAYLAND_SHIM_H
#define DOCTOR_CWAYLAND_SHIM_H

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <wayland-client.h>

#define DOCTOR_WL_MAX_GLOBALS 1024

struct doctor_wl_global {
    char interface[128];
    unsigned int version;
    unsigned int name;
};

struct doctor_wl_state {
    struct doctor_wl_global globals[DOCTOR_WL_MAX_GLOBALS];
    int count;
    int overflow;
    int done;
};

static void doctor_wl_on_global(void *data, struct wl_registry *registry, uint32_t name, const char *interface, uint32_t version) {
    (void)registry;
    struct doctor_wl_state *state = (struct doctor_wl_state *)data;
    if (state->count >= DOCTOR_WL_MAX_GLOBALS) { state->overflow = 1; return; }
    struct doctor_wl_global *global = &state->globals[state->count++];
    strncpy(global->interface, interface ? interface : "", sizeof global->interface - 1);
    global->interface[sizeof global->interface - 1] = 0;
    global->version = version;
    global->name = name;
}

static void doctor_wl_on_global_remove(void *data, struct wl_registry *registry, uint32_t name) {
    (void)data; (void)registry; (void)name;
}

static const struct wl_registry_listener doctor_wl_registry_listener = {doctor_wl_on_global, doctor_wl_on_global_remove};

static void doctor_wl_on_done(void *data, struct wl_callback *callback, uint32_t serial) {
    (void)callback; (void)serial;
    ((struct doctor_wl_state *)data)->done = 1;
}

static const struct wl_callback_listener doctor_wl_callback_listener = {doctor_wl_on_done};

static long doctor_wl_now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/// Takes ownership of `fd` (a connected compositor socket), reads the registry and does one roundtrip, waiting
/// at most `timeout_ms`. Returns 0 when the roundtrip completed, -2 at the deadline, -1 on an error (errno set;
/// *protocol_error holds a protocol error code if the compositor sent one).
static inline int doctor_wayland_globals(int fd, int timeout_ms, struct doctor_wl_state *state, int *protocol_error) {
    *protocol_error = 0;
    struct wl_display *display = wl_display_connect_to_fd(fd);
    if (!display) return -1;
    struct wl_registry *registry = wl_display_get_registry(display);
    wl_registry_add_listener(registry, &doctor_wl_registry_listener, state);
    struct wl_callback *callback = wl_display_sync(display);
    wl_callback_add_listener(callback, &doctor_wl_callback_listener, state);
    long deadline = doctor_wl_now_ms() + timeout_ms;
    int rc = 0;
    int display_fd = wl_display_get_fd(display);
    while (!state->done) {
        while (wl_display_prepare_read(display) != 0) {
            if (wl_display_dispatch_pending(display) < 0) { rc = -1; break; }
        }
        if (rc != 0) break;
        if (wl_display_flush(display) < 0 && errno != EAGAIN) { wl_display_cancel_read(display); rc = -1; break; }
        long left = deadline - doctor_wl_now_ms();
        if (left <= 0) { wl_display_cancel_read(display); rc = -2; break; }
        struct pollfd pfd = {display_fd, POLLIN, 0};
        int ready = poll(&pfd, 1, left > 50 ? 50 : (int)left);
        if (ready > 0) {
            if (wl_display_read_events(display) < 0) { rc = -1; break; }
        } else {
            wl_display_cancel_read(display);
            if (ready < 0 && errno != EINTR) { rc = -1; break; }
        }
        if (wl_display_dispatch_pending(display) < 0) { rc = -1; break; }
    }
    if (rc == -1) {
        int saved = errno;
        *protocol_error = wl_display_get_error(display);
        errno = saved;
    }
    wl_callback_destroy(callback);
    wl_registry_destroy(registry);
    wl_display_disconnect(display);
    return rc;
}

#endif
