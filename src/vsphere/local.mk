# src/vsphere: the vim25 SOAP client (libcurl + libxml2). vsphere.h is its API.
noinst_LIBRARIES += libdrvsphere.a
libdrvsphere_a_CPPFLAGS = $(AM_CPPFLAGS) $(CURL_CFLAGS) $(LIBXML2_CFLAGS) $(OPENSSL_CFLAGS) \
	$(CJSON_CFLAGS)
libdrvsphere_a_SOURCES = \
	src/vsphere/vsphere.h src/vsphere/internal.h \
	src/vsphere/soap.c src/vsphere/soap.h \
	src/vsphere/session.c \
	src/vsphere/collector.c \
	src/vsphere/task.c \
	src/vsphere/inventory.c \
	src/vsphere/names.c \
	src/vsphere/tree.c \
	src/vsphere/placement.c src/vsphere/facts.c src/vsphere/storagepod.c \
	src/vsphere/vm.c \
	src/vsphere/ip.c \
	src/vsphere/nic.c \
	src/vsphere/nic_check.c \
	src/vsphere/cert.c \
	src/vsphere/rest.c \
	src/vsphere/labels.c
DROVER_LIBS += libdrvsphere.a
VSPHERE_LIBS = libdrvsphere.a $(CORE_LIBS) $(CURL_LIBS) $(LIBXML2_LIBS) $(OPENSSL_LIBS)
