/*
 * virtio-pvdisplay-pci: PCI transport of the paravirtual display device
 *
 * Modern (virtio 1.x) only: PCI device id 0x1040 + PVDISPLAY_VIRTIO_ID,
 * revision 1, class "display, other".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/module.h"
#include "hw/pci/pci.h"
#include "hw/qdev-properties.h"
#include "hw/virtio/virtio-pci.h"
#include "hw/virtio/virtio-pvdisplay.h"
#include "ui/console.h"
#include "qom/object.h"

#define TYPE_VIRTIO_PVDISPLAY_PCI "virtio-pvdisplay-pci"
OBJECT_DECLARE_SIMPLE_TYPE(VirtIOPVDisplayPCI, VIRTIO_PVDISPLAY_PCI)

struct VirtIOPVDisplayPCI {
    VirtIOPCIProxy parent_obj;
    VirtIOPVDisplay vdev;
};

static const Property virtio_pvdisplay_pci_properties[] = {
    /*
     * Config changes, the control queue and the cursor queue: Linux counts
     * only queues with a callback, and its driver has none for the event
     * queue.
     */
    DEFINE_PROP_UINT32("vectors", VirtIOPCIProxy, nvectors, 3),
};

static void virtio_pvdisplay_pci_realize(VirtIOPCIProxy *vpci_dev,
                                         Error **errp)
{
    VirtIOPVDisplayPCI *dev = VIRTIO_PVDISPLAY_PCI(vpci_dev);
    VirtIOPVDisplay *s = &dev->vdev;
    uint32_t i;

    virtio_pci_force_virtio_1(vpci_dev);
    if (!qdev_realize(DEVICE(s), BUS(&vpci_dev->bus), errp)) {
        return;
    }

    /* let -display ...,device= and QMP name the consoles by this device */
    for (i = 0; i < s->conf.heads; i++) {
        QemuConsole *con = qemu_console_lookup_by_device(DEVICE(s), i);

        if (con) {
            object_property_set_link(OBJECT(con), "device",
                                     OBJECT(vpci_dev), &error_abort);
        }
    }
}

static void virtio_pvdisplay_pci_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VirtioPCIClass *k = VIRTIO_PCI_CLASS(klass);
    PCIDeviceClass *pcidev_k = PCI_DEVICE_CLASS(klass);

    set_bit(DEVICE_CATEGORY_DISPLAY, dc->categories);
    device_class_set_props(dc, virtio_pvdisplay_pci_properties);
    dc->hotpluggable = false;
    k->realize = virtio_pvdisplay_pci_realize;
    pcidev_k->class_id = PCI_CLASS_DISPLAY_OTHER;
}

static void virtio_pvdisplay_pci_instance_init(Object *obj)
{
    VirtIOPVDisplayPCI *dev = VIRTIO_PVDISPLAY_PCI(obj);

    virtio_instance_init_common(obj, &dev->vdev, sizeof(dev->vdev),
                                TYPE_VIRTIO_PVDISPLAY);
}

static const VirtioPCIDeviceTypeInfo virtio_pvdisplay_pci_info = {
    .generic_name = TYPE_VIRTIO_PVDISPLAY_PCI,
    .instance_size = sizeof(VirtIOPVDisplayPCI),
    .instance_init = virtio_pvdisplay_pci_instance_init,
    .class_init = virtio_pvdisplay_pci_class_init,
};

static void virtio_pvdisplay_pci_register_types(void)
{
    virtio_pci_types_register(&virtio_pvdisplay_pci_info);
}

type_init(virtio_pvdisplay_pci_register_types)
