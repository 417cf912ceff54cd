/* The reference for bench_roundtrip: libmosquitto publishing N QoS 2 messages (inflight 20)
 * to a topic it also subscribes to at QoS 2, until all N came back.
 * Usage: bench_libmosquitto PORT N. Prints "messages_per_s X" and "cpu_s Y". */
#include <mosquitto.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static int target, received, published, subscribed;

static void on_message(struct mosquitto *m, void *u, const struct mosquitto_message *msg)
{
    (void)m; (void)u; (void)msg;
    ++received;
}

static void on_subscribe(struct mosquitto *m, void *u, int mid, int n, const int *granted)
{
    (void)m; (void)u; (void)mid; (void)n; (void)granted;
    subscribed = 1;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_libmosquitto PORT N\n");
        return 2;
    }
    const int port = atoi(argv[1]);
    target = atoi(argv[2]);
    mosquitto_lib_init();
    struct mosquitto *m = mosquitto_new("bench-libmosquitto", true, NULL);
    mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
    mosquitto_max_inflight_messages_set(m, 20);
    mosquitto_message_callback_set(m, on_message);
    mosquitto_subscribe_callback_set(m, on_subscribe);
    if (mosquitto_connect(m, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS) {
        fprintf(stderr, "connect failed\n");
        return 1;
    }
    mosquitto_subscribe(m, NULL, "bench/libmosquitto", 2);
    while (!subscribed)
        mosquitto_loop(m, 100, 1);
    const char payload[] = "{\"t\":21.5,\"unit\":\"C\"}";
    const double start = now();
    while (received < target) {
        /* keep the library's queue short: it holds what exceeds the inflight window */
        while (published < target && published - received < 100) {
            mosquitto_publish(m, NULL, "bench/libmosquitto", (int)strlen(payload), payload, 2, false);
            ++published;
        }
        if (mosquitto_loop(m, 100, 1) != MOSQ_ERR_SUCCESS) {
            fprintf(stderr, "loop failed\n");
            return 1;
        }
    }
    const double elapsed = now() - start;
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    const double cpu = (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6
                       + (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
    printf("messages_per_s %.0f\ncpu_s %.3f\n", target / elapsed, cpu);
    mosquitto_disconnect(m);
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
    return 0;
}
