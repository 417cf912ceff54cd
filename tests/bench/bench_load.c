/* A load generator for the soak benchmark: libmosquitto publishing RATE messages/s of a 42-byte
 * JSON reading, round-robin over 10 topics sensors/load/0..9, for SECONDS, at QoS 0.
 * Usage: bench_load PORT RATE SECONDS. Prints "published N" at the end. */
#include <mosquitto.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { kTopics = 10, kTicksPerSecond = 200 }; /* publishes in 5 ms ticks, to keep the rate even */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_until(double when)
{
    const double left = when - now();
    if (left <= 0)
        return;
    struct timespec t = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
    nanosleep(&t, NULL);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_load PORT RATE SECONDS\n");
        return 2;
    }
    const int port = atoi(argv[1]);
    const long rate = atol(argv[2]);
    const double seconds = atof(argv[3]);
    mosquitto_lib_init();
    struct mosquitto *m = mosquitto_new("bench-load", true, NULL);
    if (!m || mosquitto_connect(m, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS || mosquitto_loop_start(m) != MOSQ_ERR_SUCCESS) {
        fprintf(stderr, "bench_load: cannot connect to 127.0.0.1:%d\n", port);
        return 1;
    }
    const double start = now();
    long published = 0;
    for (long tick = 1; (double)tick / kTicksPerSecond <= seconds; ++tick) {
        const long due = rate * tick / kTicksPerSecond;
        for (; published < due; ++published) {
            char topic[32], payload[64];
            snprintf(topic, sizeof topic, "sensors/load/%ld", published % kTopics);
            /* 42 bytes: {"seq":    NNNNNN,"load":0.NNN,"unit":"%"}; the number padded with spaces,
             * not zeros, so the reading is valid JSON that charts and decoders can read. */
            const int n = snprintf(payload, sizeof payload, "{\"seq\":%10ld,\"load\":0.%03ld,\"unit\":\"%%\"}",
                                   published % 10000000000L, published % 1000);
            mosquitto_publish(m, NULL, topic, n, payload, 0, false);
        }
        sleep_until(start + (double)tick / kTicksPerSecond);
    }
    mosquitto_disconnect(m);
    mosquitto_loop_stop(m, false);
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
    printf("published %ld\n", published);
    return 0;
}
