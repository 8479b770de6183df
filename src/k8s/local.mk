# src/k8s: the Kubernetes side: kubeconfig files (libyaml), the API client
# (libcurl + cJSON) that health polling and drain use, and the vSphere
# CPI/CSI manifests (libyaml).
noinst_LIBRARIES += libdrk8s.a
libdrk8s_a_CPPFLAGS = $(AM_CPPFLAGS) $(YAML_CFLAGS) $(CURL_CFLAGS) $(CJSON_CFLAGS) $(OPENSSL_CFLAGS)
libdrk8s_a_SOURCES = src/k8s/kubeconfig.c src/k8s/kubeconfig.h src/k8s/client.c src/k8s/client.h \
	src/k8s/yamlout.h src/k8s/cloudprov.c src/k8s/cloudprov.h \
	src/k8s/drain.c src/k8s/drain.h
DROVER_LIBS += libdrk8s.a
K8S_LIBS = libdrk8s.a $(YAML_LIBS) $(CURL_LIBS) $(CJSON_LIBS) $(OPENSSL_LIBS)
