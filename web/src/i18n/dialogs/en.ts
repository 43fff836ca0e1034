// English messages of lazily loaded parts: how devices connect (product page,
// a new device's secret), the device import's errors and the project
// deletion dialog. They come with those parts rather than with the pages:
// see ./index.ts.
export default {
  connect: {
    broker: 'Broker address',
    how: 'Devices connect with MQTT: username {username}, the device secret as the password, and the client id {username} (or {username}/ and a suffix).',
    localOnly: 'This is a loopback address: only programs on Hoist’s own machine can connect. For devices elsewhere, let the broker listen on every interface (mqtt.tcpAddr, e.g. 0.0.0.0:1883) and set mqtt.publicURL (HOIST_MQTT_PUBLIC_URL) to the address they reach.',
    unknown: 'Hoist cannot tell the address devices use for this {mode} broker: set mqtt.publicURL (HOIST_MQTT_PUBLIC_URL) to show it here.',
    off: 'MQTT is off on this server (mqtt.mode off): devices cannot connect.',
    configured: 'Set by mqtt.publicURL.',
    examples: 'Connection examples',
    examplesHint: 'Each reports the firmware version (the device list shows it), listens for commands to the device and answers them.',
    placeholders: 'Replace {placeholders} with the device’s own values.',
    withSecret: 'The examples contain this device’s secret.',
    topics: 'A device may publish only to update_status/, update_ota_status/ and cmd_resp/ topics of its own {product}/{device}, and subscribe only to cmd/{product}/{device}/# and tags/{product}/{tag}/cmd/# of its tags.',
    wsOnly: 'mosquitto_pub and mosquitto_sub speak MQTT over TCP only, and this address is a WebSocket one.',
    tls: 'The broker speaks TLS: the system’s CA certificates verify it.',
  },
  import: {
    invalid: 'The import has {n} error; nothing was created. | The import has {n} errors; nothing was created.',
    line: 'Line {line}, column {column}',
    item: 'Device {n} of the list, {column}',
    more: '… and {n} more',
  },
  deleteProject: {
    intro: 'Deleting {name} cannot be undone. At once:',
    releases: 'every release of every channel is deleted with its uploaded files: their download links stop working, and update checks for the project answer “project not found”;',
    settings: 'its channels, pinned devices, members and CodePush deployment keys are deleted;',
    campaigns: 'its OTA campaigns are deleted with their per-device progress and history;',
    stats: 'its update-check statistics stay in the database but are no longer shown.',
    products: 'Device products (and their devices) are not deleted with a project: a project that still has products cannot be deleted.',
    hasProducts: 'This project has {n} device product: delete it, and its devices with it, first. | This project has {n} device products: delete them, and their devices with them, first.',
    toProducts: 'Its products',
    force: 'It still has releases. Deleting it anyway deletes them and their files, as listed above.',
  },
}
