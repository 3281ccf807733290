/** English: the catalog every other language is checked against (same keys, same shape). */
export const en = {
  app: { name: 'Tilldesk', loading: 'Opening the till…' },
  nav: {
    label: 'Main',
    till: 'Till',
    stock: 'Stock',
    stocktakes: 'Stocktakes',
    orders: 'Orders',
    customers: 'Customers & notes',
    reports: 'Reports',
    settings: 'Settings',
  },
  status: {
    offline: 'Offline',
    online: 'Online',
    notConfigured: 'Sync not set up',
    waiting_one: '{{count}} waiting to sync',
    waiting_other: '{{count}} waiting to sync',
  },
  screens: {
    till: {
      title: 'Till',
      coming: 'Ring up sales here: scan or search items, take cash, card and split payments, print receipts, take returns.',
    },
    stock: {
      title: 'Stock',
      coming: 'The product list with on-hand per location, goods in, adjustments and each product’s movement history.',
    },
    stocktakes: {
      title: 'Stocktakes',
      coming: 'Count stock while the shop keeps selling, review variances and apply the count.',
    },
    orders: {
      title: 'Orders',
      coming: 'Find any order by number, date, customer or product; reprint receipts, start returns, ship deliveries.',
    },
    customers: {
      title: 'Customers & notes',
      coming: 'Customer records and support notes: questions, complaints and returns, open until resolved.',
    },
    reports: {
      title: 'Reports',
      coming: 'Sales by day, product, category and cashier; tenders, tax, refunds and reorder suggestions.',
    },
  },
  settings: {
    title: 'Settings',
    language: 'Language',
    languageHelp: 'The language of this till’s screens and receipts.',
    about: 'About this till',
    version: 'Version',
    schema: 'Database schema',
    sqlite: 'SQLite',
    dataFolder: 'Data folder',
    transport: 'Connection to the store',
    integrity: 'Database check',
    transports: { ipc: 'Desktop app (IPC)', http: 'Browser mode (HTTP)' },
  },
  languages: { en: 'English', 'zh-CN': '简体中文' },
  comingSoon: 'Coming next',
  errors: {
    unknown_operation: 'The till does not know the action “{{name}}”.',
    invalid_input: 'Some of what was entered is not valid: {{details}}',
    unauthorized: 'Please sign in again.',
    bad_token: 'This browser tab is not signed in to the till. Open the address printed by the till host.',
    forbidden: 'You do not have permission to do that.',
    untrusted_sender: 'That request did not come from the till app and was refused.',
    not_found: 'That record no longer exists.',
    conflict: 'That record was changed in the meantime. Please try again.',
    rejected: 'The till refused that.',
    unavailable: 'The till is busy or unreachable. Your work is kept; please try again.',
    host_unreachable: 'The till host is not answering. Your work is kept; please try again.',
    internal: 'Something went wrong inside the till. Nothing was saved; please try again.',
    too_large: 'That request is too large.',
    invalid_json: 'That request could not be read.',
    newer_database: 'This data was written by a newer Tilldesk (schema {{found}}). Install the newer version.',
  },
};

type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> };
export type Catalog = Shape<typeof en>;
