# src/k8s: the Kubernetes side (kubeconfig files with libyaml; the API client
# comes with health polling).
noinst_LIBRARIES += libdrk8s.a
libdrk8s_a_CPPFLAGS = $(AM_CPPFLAGS) $(YAML_CFLAGS)
libdrk8s_a_SOURCES = src/k8s/kubeconfig.c src/k8s/kubeconfig.h
DROVER_LIBS += libdrk8s.a
K8S_LIBS = libdrk8s.a $(YAML_LIBS)
