// Every user-visible English string of the web client. Other languages copy this shape
// (the `Strings` type makes a missing key a compile error).
export const en = {
  lang: 'en',
  appName: 'Video consultation',

  // Development page
  devTitle: 'medrtc development page',
  devIntro:
    'This page creates a test consultation room with two join links, so you can try a call between two browser windows or two devices.',
  devCreate: 'Create test room',
  devCreating: 'Creating a test room…',
  devCreated: 'Test room created. Open one link here and the other in another window or on another device.',
  devExplain:
    'Each link lets one person join. Anyone who has a link can join the room, so share it only with the person it is meant for. Links stop working after a while; create a new room then.',
  devCopy: (name: string) => `Copy link for ${name}`,
  devOpen: (name: string) => `Open ${name}'s link`,
  devCopied: (name: string) => `Link for ${name} copied.`,
  devCopyFailed: 'Could not copy automatically. Select the link and copy it yourself.',
  devLinkLabel: (name: string) => `Join link for ${name}`,
  devDisabled: 'The development page is disabled on this server (start it with --dev)',
  devFailed: (detail: string) => `Could not create a test room: ${detail}`,

  // Pre-join
  prejoinTitle: 'Ready to join?',
  prejoinHint: 'Check that you can see yourself below, then press Join.',
  previewLabel: 'Your camera preview',
  join: 'Join',
  joining: 'Joining the consultation…',
  startingCamera: 'Starting your camera and microphone…',
  devicesError: (detail: string) => `Camera or microphone not available: ${detail}`,
  devicesErrorHint:
    'You can still join: the others will not see or hear you. Or allow the camera and microphone in your browser and try again.',
  audioOnlyNote: 'You will join with your microphone only.',
  noDevicesNote: 'You will join without camera and microphone.',
  useMicOnly: 'Use microphone only',
  retryDevices: 'Try camera again',
  deviceDenied: 'access was not allowed',
  deviceMissing: 'no camera or microphone was found',
  deviceBusy: 'the camera or microphone is used by another program',
  deviceUnsupported: 'this browser cannot use a camera here (the page must be opened over https)',
  deviceOther: 'an unknown problem occurred',

  // Call
  callRegion: 'Video call',
  controlsRegion: 'Call controls',
  you: 'You',
  mute: 'Mute',
  cameraOff: 'Camera off',
  leave: 'Leave',
  micOffBadge: 'Microphone off',
  cameraOffBadge: 'Camera off',
  tileLabel: (name: string) => `Video of ${name}`,
  guest: 'Guest',
  inCall: 'You are in the consultation.',
  waitingForOthers: 'Waiting for the other person to join…',
  participantJoined: (name: string) => `${name} joined.`,
  participantLeft: (name: string) => `${name} left.`,
  youMuted: 'Your microphone is off.',
  youUnmuted: 'Your microphone is on.',
  cameraStopped: 'Your camera is off.',
  cameraStarted: 'Your camera is on.',
  reconnecting: 'Reconnecting…',
  reconnected: 'Connected again.',
  connectionLost: 'The connection to the consultation was lost. Check your internet connection and try again.',
  mediaProblem: 'Having trouble with the audio or video connection. Trying to recover…',
  mediaFailed: 'The audio and video connection failed. Please leave and join again.',

  // End screens
  leftTitle: 'You left the call',
  rejoin: 'Rejoin',
  endedTitle: 'The consultation has ended',
  endedHint: 'You can close this window now.',
  errorTitle: 'Could not join the consultation',
  tryAgain: 'Try again',
  missingToken: 'This link is incomplete. Please open the full link you received again.',

  // Server errors (by `code`), in plain words
  serverErrors: {
    invalid_message: 'Something went wrong talking to the server. Please reload the page.',
    message_too_large: 'Something went wrong talking to the server. Please reload the page.',
    auth_required: 'The connection was closed because joining took too long. Please try again.',
    token_invalid: 'This link is not valid. Please ask for a new link.',
    token_expired: 'This link has expired. Please ask for a new link.',
    room_not_found: 'This consultation does not exist. Please check the link.',
    room_ended: 'This consultation has already ended.',
    duplicate_identity: 'You joined this consultation from another window or device, so this window was disconnected.',
    already_joined: 'You are already in this consultation.',
    not_joined: 'Something went wrong while joining. Please reload the page.',
    sdp_invalid: 'Your browser could not agree on audio and video settings with the server.',
    stale_version: 'The video connection was updated. Please wait a moment.',
    forbidden: 'You are not allowed to do that in this consultation.',
    internal: 'The server had a problem. Please try again in a moment.',
  } as Record<string, string>,
  serverErrorUnknown: 'Something went wrong. Please try again.',
} as const;

export type Strings = typeof en;
