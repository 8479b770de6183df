# src/vsphere: the vim25 SOAP client (libcurl + libxml2). vsphere.h is its API.
EXTRA_DIST += src/vsphere/vsphere.h
